// The activity around every operator: it writes the ledger rows its input carries with the
// attempt's own running row, resolves XComs, renders the templated fields with Airflow's context,
// runs the operator until execution_timeout or the run's dagrun_timeout, offloads a large result
// to blob storage, masks secrets in anything it emits (its log, console output, errors and XCom),
// and wakes its orchestration when it ends.
import * as os from "node:os";
import type { InvocationContext } from "@azure/functions";
import { resolveXComRefs } from "../../orchestrations/runtime/model/xcom-ref";
import { render, renderDeep, buildTemplateContext, TemplateContext } from "../../orchestrations/runtime/templates/templates";
import type { JsonValue } from "../../orchestrations/runtime/model/json";
import type { LedgerWrite, TaskActivityResult, TaskInvocation } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { maskError, maskSecrets, redact } from "../hooks/secret-mask";
import { registerSettingsSecrets } from "../hooks/settings-secrets";
import { appRoot } from "../app-root";
import { recordTaskDuration } from "../telemetry/metrics";
import type { TaskDimensions } from "../telemetry/records";
import { writeLedger } from "./bookkeeping";
import { raiseWake } from "./envelope";
import { openTaskLog, type TaskLogger } from "./task-log";
import { withTaskConsole } from "./task-console";
import { appVariableStore } from "../variables/variable-store";
import { isSensitiveKey, registerSecret } from "../hooks/secret-mask";
import { ConfigError } from "./config-reader";
import { isFollowUp, isSkip, OperatorContext, OperatorDefinition, PokeResult } from "./operator";
import { isXComBlobRef, loadXCom, storeXCom } from "./xcom-store";

export { appRoot };

function checkInvocation(input: unknown): TaskInvocation {
  const inv = input as TaskInvocation;
  if (!inv || typeof inv !== "object" || typeof inv.dagId !== "string" || typeof inv.taskId !== "string" || !inv.run) {
    throw new ConfigError("A task activity was called without a task invocation (dagId, taskId, run, ...).");
  }
  return inv;
}

/**
 * Values kept in blob storage, wherever they sit in a config: `{ $xcomBlob }` (a whole offloaded
 * result) and `{ $xcomItem: { ref, index } }` (one item of an offloaded list a task maps over).
 */
async function resolveStored(value: unknown, lists: Map<string, unknown[]>): Promise<unknown> {
  if (Array.isArray(value)) return Promise.all(value.map((v) => resolveStored(v, lists)));
  if (!value || typeof value !== "object") return value;
  if (isXComBlobRef(value)) return loadXCom(value);
  const item = (value as { $xcomItem?: { ref: unknown; index: number } }).$xcomItem;
  if (item && isXComBlobRef(item.ref)) {
    const key = item.ref.$xcomBlob.blob;
    if (!lists.has(key)) lists.set(key, (await loadXCom(item.ref)) as unknown[]);
    return lists.get(key)![item.index];
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = await resolveStored(v, lists);
  return out;
}

async function resolveXComs(xcoms: Record<string, JsonValue>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [taskId, value] of Object.entries(xcoms)) {
    out[taskId] = Array.isArray(value) ? await Promise.all(value.map(loadXCom)) : await loadXCom(value);
  }
  return out;
}

/**
 * Airflow Variables, read only when the task's config or a file it renders could use them
 * (`var.`): most tasks never pay for the lookup. Values of sensitive keys are masked, as Airflow does.
 */
async function variablesFor(inv: TaskInvocation): Promise<Record<string, string>> {
  const config = JSON.stringify(inv.config ?? null);
  if (!config.includes("var.") && !/"(file|sql|script)"/.test(config)) return {};
  const values = await appVariableStore().values();
  for (const [key, value] of Object.entries(values)) if (isSensitiveKey(key)) registerSecret(value);
  return values;
}

function templateContext(inv: TaskInvocation, xcoms: Record<string, unknown>, conf: Record<string, unknown>, variables: Record<string, string>): TemplateContext {
  return buildTemplateContext({
    dagId: inv.dagId,
    taskId: inv.taskId,
    runId: inv.runId,
    runType: inv.run.runType,
    logicalDate: inv.run.logicalDate,
    dataIntervalStart: inv.run.dataIntervalStart,
    dataIntervalEnd: inv.run.dataIntervalEnd,
    conf,
    variables,
    tryNumber: inv.tryNumber,
    mapIndex: inv.mapIndex,
    dagParams: inv.dagParams,
    taskParams: inv.taskParams,
    xcom: (taskId, key) => (key === "return_value" ? xcoms[taskId] : undefined),
  });
}

/** Renders only the operator's template fields, as Airflow renders template_fields. */
function renderFields(config: unknown, fields: readonly string[], context: TemplateContext): unknown {
  if (!config || typeof config !== "object" || Array.isArray(config)) return config;
  const out: Record<string, unknown> = { ...(config as Record<string, unknown>) };
  for (const field of fields) if (field in out) out[field] = renderDeep(out[field], context);
  return out;
}

/** The operator's config with XComs resolved and its template fields rendered, and the context used. */
async function renderConfig<C>(def: OperatorDefinition<C>, inv: TaskInvocation, where: string): Promise<{ rendered: unknown; context: TemplateContext }> {
  const xcoms = await resolveXComs(inv.xcoms);
  const lists = new Map<string, unknown[]>();
  const withXComs = resolveXComRefs(inv.config, (ref) => {
    if (ref.$xcom.key !== "return_value") throw new ConfigError(`${where}: only return_value XComs are supported, got key '${ref.$xcom.key}'.`);
    return xcoms[ref.$xcom.taskId] ?? null;
  });
  // A large conf travels by reference (see functions/runs/create-dag-run.ts).
  const conf = (await loadXCom(inv.run.conf)) as Record<string, unknown>;
  const context = templateContext(inv, xcoms, conf, await variablesFor(inv));
  return { rendered: renderFields(await resolveStored(withXComs, lists), def.templateFields, context), context };
}

/** Airflow's [core] max_templated_field_length: longer rendered values are cut, saying so. */
export const MAX_TEMPLATED_FIELD_LENGTH = 4096;

/**
 * The rendered template fields as Airflow keeps them for the UI (RenderedTaskInstanceFields):
 * JSON text of field -> value, secrets masked, long values truncated with Airflow's message.
 */
export function renderedFieldsJson(rendered: unknown, fields: readonly string[]): string {
  const out: Record<string, unknown> = {};
  const config = rendered && typeof rendered === "object" && !Array.isArray(rendered) ? (rendered as Record<string, unknown>) : {};
  for (const field of fields) {
    if (!(field in config)) continue;
    const value = config[field] ?? null;
    const text = typeof value === "string" ? value : JSON.stringify(value);
    const masked = maskSecrets(text);
    if (masked.length > MAX_TEMPLATED_FIELD_LENGTH) {
      const prefix = "Truncated. You can change this behaviour in [core]max_templated_field_length. ";
      out[field] = `${prefix}${masked.slice(0, MAX_TEMPLATED_FIELD_LENGTH - prefix.length)}...`;
    } else out[field] = typeof value === "string" || masked !== text ? masked : value;
  }
  return JSON.stringify(out);
}

/** The attempt's own running row, written with the rows its input carries. */
function runningRow(inv: TaskInvocation, operator: string, startedAt: string): LedgerWrite {
  const carried = inv.$ledger ?? { dagId: inv.dagId, runId: inv.runId, run: null, tasks: [] };
  return {
    ...carried,
    tasks: [...carried.tasks, {
      taskId: inv.taskId, mapIndex: inv.mapIndex, state: "running", tryNumber: inv.tryNumber, maxTries: inv.maxTries, operator,
      at: startedAt, startedAt, error: null, xcom: null, version: inv.version, hostname: os.hostname(),
    }],
  };
}

/** What ends an attempt early: execution_timeout (a failure) or the run's dagrun_timeout. */
interface Cutoff {
  ms: number;
  kind: "execution_timeout" | "dagrun_timeout";
}

function cutoff(inv: TaskInvocation, startedMs: number): Cutoff | null {
  const cuts: Cutoff[] = [];
  // execution_timeout counts from when the attempt starts executing, as Airflow's does.
  if (inv.executionTimeoutSeconds) cuts.push({ ms: inv.executionTimeoutSeconds * 1000, kind: "execution_timeout" });
  // The run's deadline is on the orchestration's clock (virtual under `dags test`): what is left
  // of it is what was left when the attempt was scheduled, less any wait in the queue.
  if (inv.runDeadline) {
    const scheduledMs = Date.parse(inv.scheduledAt);
    cuts.push({ ms: Date.parse(inv.runDeadline) - Math.max(scheduledMs, scheduledMs + (Date.now() - startedMs)), kind: "dagrun_timeout" });
  }
  return cuts.length ? cuts.reduce((a, b) => (b.ms < a.ms ? b : a)) : null;
}

/** The longest delay setTimeout takes (2^31 - 1 ms). */
const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * Runs the operator, bounded by the attempt's cutoff: the operator's signal is aborted then, and
 * the attempt ends even if the operator does not stop (its promise is left to settle unheard).
 */
async function bounded<T>(work: Promise<T>, cut: Cutoff | null, abort: AbortController): Promise<{ value: T } | { cut: Cutoff }> {
  if (!cut) return { value: await work };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ cut: Cutoff }>((resolve) => {
    // Node fires a timeout longer than about 24.8 days at once: a longer cutoff (a 30-day
    // dagrun_timeout) waits in steps.
    const endsAt = Date.now() + Math.max(0, cut.ms);
    const arm = (): void => {
      const left = endsAt - Date.now();
      timer = left > MAX_TIMEOUT_MS ? setTimeout(arm, MAX_TIMEOUT_MS) : setTimeout(() => resolve({ cut }), Math.max(0, left));
    };
    arm();
  });
  work.catch(() => undefined);
  try {
    const first = await Promise.race([work.then((value) => ({ value })), expired]);
    if ("cut" in first) abort.abort();
    return first;
  } finally {
    clearTimeout(timer);
  }
}

export function taskActivity<C>(def: OperatorDefinition<C>) {
  return async function runTask(input: unknown, invocation: InvocationContext): Promise<TaskActivityResult> {
    const inv = checkInvocation(input);
    // Before any task code: every connection's secrets, not only those a hook resolved.
    registerSettingsSecrets();
    try {
      return await runAttempt(def, inv, invocation);
    } finally {
      await raiseWake(invocation, inv.$wake);
    }
  };
}

async function runAttempt<C>(def: OperatorDefinition<C>, inv: TaskInvocation, invocation: InvocationContext): Promise<TaskActivityResult> {
  const where = `${inv.dagId}.${inv.taskId}${inv.mapIndex >= 0 ? `[${inv.mapIndex}]` : ""} (${def.name})`;
  const dimensions: TaskDimensions = { dag_id: inv.dagId, run_id: inv.runId, task_id: inv.taskId, try_number: inv.tryNumber, map_index: inv.mapIndex };
  let logger: TaskLogger;
  try {
    logger = openTaskLog(dimensions, def.name, invocation, { record: inv.record !== false });
  } catch (err) {
    // A malformed telemetry setting: the attempt fails naming it, and the host's log says so too.
    invocation.error(maskSecrets(`[${where} try ${inv.tryNumber}] ${(err as Error).message}`));
    throw maskError(err);
  }
  try {
    return await attemptLogged(def, inv, invocation, where, dimensions, logger);
  } finally {
    logger.close();
  }
}

async function attemptLogged<C>(
  def: OperatorDefinition<C>, inv: TaskInvocation, invocation: InvocationContext, where: string, dimensions: TaskDimensions, logger: TaskLogger,
): Promise<TaskActivityResult> {
  const log = (message: string): void => logger.info(message);
  const startedMs = Date.now();
  const finished = (state: string): void => recordTaskDuration(dimensions, (Date.now() - startedMs) / 1000, state, def.name);
  // Under `dags test` the orchestrator's clock runs ahead of the wall clock (timers skip), so
  // the attempt starts no earlier than the orchestrator scheduled it.
  const startedAt = new Date(Math.max(startedMs, Date.parse(inv.scheduledAt) || startedMs)).toISOString();
  // Rendered first, so the attempt's running row carries what it renders (the UI's Rendered
  // Template); a rendering error still fails the attempt after that row, as before.
  const prepared = await renderConfig(def, inv, where).then((value) => ({ value }), (error: unknown) => ({ error }));
  if (inv.record !== false) {
    const extras = "value" in prepared ? { rendered_fields: renderedFieldsJson(prepared.value.rendered, def.templateFields) } : {};
    // A late or repeated attempt finds a newer decision for its instance and does not run.
    const rejected = await writeLedger(runningRow(inv, def.name, startedAt), invocation, new Map([[`${inv.taskId}#${inv.mapIndex}`, extras]]));
    if (rejected.has(`${inv.taskId}#${inv.mapIndex}`)) throw new Error(`Attempt ${inv.tryNumber} is superseded: the run has moved past it.`);
  }
  log(`Starting attempt ${inv.tryNumber} of ${inv.maxTries}${inv.mode === "poke" ? " (poke)" : ""}`);
  const abort = new AbortController();
  try {
    if ("error" in prepared) throw prepared.error;
    const { rendered, context } = prepared.value;
    const config = def.parse(rendered, where);
    const ctx: OperatorContext = {
      dagId: inv.dagId, runId: inv.runId, taskId: inv.taskId, mapIndex: inv.mapIndex, tryNumber: inv.tryNumber,
      logicalDate: inv.run.logicalDate, templateContext: context as Record<string, unknown>,
      render: (text) => render(text, context), log, signal: abort.signal, appRoot: appRoot(), invocation,
    };
    const consoleLine = (level: "info" | "warning" | "error", message: string): void =>
      level === "error" ? logger.error(message) : level === "warning" ? logger.warn(message) : logger.info(message);
    const outcome = await bounded(withTaskConsole(consoleLine, () => def.execute(config, ctx), abort.signal), cutoff(inv, startedMs), abort);
    if ("cut" in outcome) {
      if (outcome.cut.kind === "dagrun_timeout") {
        log("Interrupted: the run reached its dagrun_timeout.");
        finished("interrupted");
        return { outcome: "interrupted", reason: "dagrun_timeout" };
      }
      throw new Error(`Timeout: the attempt ran longer than execution_timeout (${inv.executionTimeoutSeconds} s).`);
    }
    // Stored XComs are redacted as Airflow redacts rendered values: they reach the ledger, history and the API.
    const value = redact(outcome.value);
    if (isSkip(value)) {
      log(`Skipping: ${value.$skip}. Marking task as SKIPPED.`);
      finished("skipped");
      return { outcome: "skipped", reason: maskSecrets(value.$skip) };
    }
    const where2 = { dagId: inv.dagId, runId: inv.runId, taskId: inv.taskId, mapIndex: inv.mapIndex };
    if (inv.mode === "poke") {
      // A bare boolean is accepted too, as Airflow's PythonSensor does.
      const poke = (typeof value === "boolean" ? { done: value } : value) as PokeResult;
      if (!poke || typeof poke.done !== "boolean") throw new Error(`${where}: a sensor check must return { done, value? }.`);
      finished(poke.done ? "success" : "poke");
      return { outcome: "poke", done: poke.done, xcom: poke.done ? ((await storeXCom(poke.value ?? null, where2)) as JsonValue) : null };
    }
    finished("success");
    if (isFollowUp(value)) {
      const f = value.$followUp;
      return {
        outcome: "success",
        xcom: (await storeXCom(value.value, where2)) as JsonValue,
        followUp: { operator: f.operator, config: f.config as JsonValue, pokeIntervalSeconds: f.pokeIntervalSeconds, ...(f.cancel ? { cancel: { operator: f.cancel.operator, config: f.cancel.config as JsonValue } } : {}) },
      };
    }
    const result: TaskActivityResult = { outcome: "success", xcom: (await storeXCom(value, where2)) as JsonValue };
    log("Marking task as SUCCESS.");
    return result;
  } catch (err) {
    const masked = maskError(err);
    logger.error(`Task failed with exception: ${masked.message}`);
    finished("failed");
    throw masked;
  }
}
