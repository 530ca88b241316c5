// The activity around every operator: it records the attempt in the ledger, resolves XComs,
// renders the templated fields with Airflow's context, runs the operator under the execution
// timeout, offloads a large result to blob storage, and masks secrets in anything it emits.
import * as os from "node:os";
import * as path from "node:path";
import type { InvocationContext } from "@azure/functions";
import { resolveXComRefs } from "../../orchestrations/runtime/xcom-ref";
import { render, renderDeep, buildTemplateContext, TemplateContext } from "../../orchestrations/runtime/templates";
import type { JsonValue } from "../../orchestrations/runtime/json";
import type { TaskActivityResult, TaskInvocation } from "../../orchestrations/runtime/task-invocation";
import { maskError, maskSecrets } from "../hooks/secret-mask";
import { appRunLedger } from "../runs/app-run-ledger";
import { ConfigError } from "./config-reader";
import { isFollowUp, isSkip, OperatorContext, OperatorDefinition, PokeResult } from "./operator";
import { isXComBlobRef, loadXCom, storeXCom } from "./xcom-store";


/** The app root: where SQL files and scripts named in DAG configs are found. */
/** An attempt starting this long after the orchestrator scheduled it checks the ledger first. */
const LATE_START_MS = 5_000;

export function appRoot(): string {
  // dist/functions/activities -> the checkout (or the deployed package) root.
  const up = path.resolve(__dirname, "..", "..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
}

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

function templateContext(inv: TaskInvocation, xcoms: Record<string, unknown>): TemplateContext {
  return buildTemplateContext({
    dagId: inv.dagId,
    taskId: inv.taskId,
    runId: inv.runId,
    runType: inv.run.runType,
    logicalDate: inv.run.logicalDate,
    dataIntervalStart: inv.run.dataIntervalStart,
    dataIntervalEnd: inv.run.dataIntervalEnd,
    conf: inv.run.conf,
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

export function taskActivity<C>(def: OperatorDefinition<C>) {
  return async function runTask(input: unknown, invocation: InvocationContext): Promise<TaskActivityResult> {
    const inv = checkInvocation(input);
    const where = `${inv.dagId}.${inv.taskId}${inv.mapIndex >= 0 ? `[${inv.mapIndex}]` : ""} (${def.name})`;
    const prefix = `[${where} try ${inv.tryNumber}]`;
    const log = (message: string): void => invocation.log(maskSecrets(`${prefix} ${message}`));
    // Under `dags test` the orchestrator's clock runs ahead of the wall clock (timers skip), so
    // the attempt starts no earlier than the orchestrator scheduled it.
    const scheduledMs = Date.parse(inv.scheduledAt) || Date.now();
    const startedAt = new Date(Math.max(Date.now(), scheduledMs)).toISOString();
    // execution_timeout counts from when the orchestrator started the attempt: one that reaches a
    // worker after its deadline (a queue backlog) has already been given up on.
    const deadlineMs = inv.executionTimeoutSeconds ? scheduledMs + inv.executionTimeoutSeconds * 1000 : null;
    if (deadlineMs !== null && Date.now() >= deadlineMs) {
      throw new Error(`Timeout: the attempt started after its execution_timeout (${inv.executionTimeoutSeconds} s) had passed.`);
    }
    if (inv.record !== false) {
      const current = await appRunLedger().markAttemptRunning(inv.dagId, inv.runId, {
        task_id: inv.taskId, map_index: inv.mapIndex, state: "running", try_number: inv.tryNumber, max_tries: inv.maxTries,
        operator: def.name, start_date: startedAt, end_date: null, duration: null, error: null, hostname: os.hostname(),
      }, {
        // Only an attempt that starts late (a queue backlog, a redelivered message) can find its
        // instance already decided; a prompt one skips the extra read.
        checkFirst: Date.now() - scheduledMs > LATE_START_MS,
      });
      if (!current) throw new Error(`Attempt ${inv.tryNumber} is superseded: the run has moved past it.`);
    }
    const abort = new AbortController();
    const timer = deadlineMs !== null ? setTimeout(() => abort.abort(), Math.max(0, deadlineMs - Date.now())) : undefined;
    try {
      const xcoms = await resolveXComs(inv.xcoms);
      const lists = new Map<string, unknown[]>();
      const withXComs = resolveXComRefs(inv.config, (ref) => {
        if (ref.$xcom.key !== "return_value") throw new ConfigError(`${where}: only return_value XComs are supported, got key '${ref.$xcom.key}'.`);
        return xcoms[ref.$xcom.taskId] ?? null;
      });
      const context = templateContext(inv, xcoms);
      const rendered = renderFields(await resolveStored(withXComs, lists), def.templateFields, context);
      const config = def.parse(rendered, where);
      const ctx: OperatorContext = {
        dagId: inv.dagId, runId: inv.runId, taskId: inv.taskId, mapIndex: inv.mapIndex, tryNumber: inv.tryNumber,
        logicalDate: inv.run.logicalDate, templateContext: context as Record<string, unknown>,
        render: (text) => render(text, context), log, signal: abort.signal, appRoot: appRoot(), invocation,
      };
      const value = await def.execute(config, ctx);
      if (abort.signal.aborted) throw new Error(`Timeout: the attempt ran longer than execution_timeout (${inv.executionTimeoutSeconds} s).`);
      if (isSkip(value)) {
        log(`Skipping: ${value.$skip}`);
        return { outcome: "skipped", reason: maskSecrets(value.$skip) };
      }
      const where2 = { dagId: inv.dagId, runId: inv.runId, taskId: inv.taskId, mapIndex: inv.mapIndex };
      if (inv.mode === "poke") {
        // A bare boolean is accepted too, as Airflow's PythonSensor does.
        const poke = (typeof value === "boolean" ? { done: value } : value) as PokeResult;
        if (!poke || typeof poke.done !== "boolean") throw new Error(`${where}: a sensor check must return { done, value? }.`);
        return { outcome: "poke", done: poke.done, xcom: poke.done ? ((await storeXCom(poke.value ?? null, where2)) as JsonValue) : null };
      }
      if (isFollowUp(value)) {
        return {
          outcome: "success",
          xcom: (await storeXCom(value.value, where2)) as JsonValue,
          followUp: {
            operator: value.$followUp.operator,
            config: value.$followUp.config as JsonValue,
            pokeIntervalSeconds: value.$followUp.pokeIntervalSeconds,
            ...(value.$followUp.cancel ? { cancel: { operator: value.$followUp.cancel.operator, config: value.$followUp.cancel.config as JsonValue } } : {}),
          },
        };
      }
      return { outcome: "success", xcom: (await storeXCom(value, where2)) as JsonValue };
    } catch (err) {
      const masked = maskError(err);
      log(`Failed: ${masked.message}`);
      throw masked;
    } finally {
      if (timer) clearTimeout(timer);
    }
  };
}

