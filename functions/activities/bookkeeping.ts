// Activities the DAG orchestrator calls for its own bookkeeping: ledger writes, the previous
// run's task states (depends_on_past) and callbacks. Orchestrations do no I/O, so these do it.
import type { InvocationContext } from "@azure/functions";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import { blobSensorListener, type LedgerWrite, type TaskStatePatch } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { writeRunIfNewer, writeTaskRowsIfNewer, type VersionedRunRow, type VersionedTaskRow } from "../ledger/versioned-writes";
import { removeSensorWait } from "../sensors/sensor-waits";
import { FINISHED_STATES, type TaskState, type TaskStates } from "../../orchestrations/runtime/rules/states";
import type { DagRunInput } from "../../orchestrations/runtime/orchestrator/run-input";
import { maskSecrets } from "../hooks/secret-mask";
import { registerSettingsSecrets } from "../hooks/settings-secrets";
import { appRunLedger } from "../runs/app-run-ledger";
import { recordRunOutcome, recordSlaMiss } from "../telemetry/metrics";
import type { TaskInstanceRecord } from "../ledger/records";
import { getDag } from "../dag-registry";
import { scheduleNow } from "../triggers/schedule-trigger";
import { CallbackInfo, getCallback } from "./callbacks";
import { withTaskConsole } from "./task-console";
import { maxTriesOf, placeholderTaskInstances } from "../runs/task-instance-rows";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { RunLedger } from "../ledger/run-ledger";

/**
 * A reused task's result comes back from the orchestrator as a patch with no try of its own: the
 * row already holds it (with its real times and tries), so it is left as it is. Reused results
 * are all in the execution's first write (the one that marks the run running).
 */
async function withoutReuseEchoes(ledger: RunLedger, write: LedgerWrite): Promise<LedgerWrite["tasks"]> {
  if (write.run?.state !== "running") return write.tasks;
  const echoes = write.tasks.filter((t) => t.tryNumber === 0 && (t.state === "success" || t.state === "skipped"));
  if (!echoes.length) return write.tasks;
  const rows = new Map((await ledger.listTaskInstances(write.dagId, write.runId)).map((r) => [`${r.task_id}#${r.map_index}`, r]));
  return write.tasks.filter((t) => {
    const row = rows.get(`${t.taskId}#${t.mapIndex}`);
    return !(t.tryNumber === 0 && row && row.try_number > 0 && row.state === t.state);
  });
}

/**
 * Writes a batch of orchestrator decisions to the ledger, each row only where it is newer than
 * the stored one (a run ended through the API, or by the reconciler, carries a later version, so
 * what its stopped orchestration still had in flight cannot bring it back). Returns the
 * `task_id#map_index` keys that were older and so left out.
 */
export async function writeLedger(
  write: LedgerWrite,
  context: InvocationContext,
  /** Fields the orchestrator does not decide, by `task_id#map_index` (the attempt's rendered fields). */
  rowExtras?: ReadonlyMap<string, Partial<TaskInstanceRecord>>,
): Promise<Set<string>> {
  // A blob sensor that finished in any state waits no more: drop its wake-up registration.
  const instanceId = instanceIdFor(write.dagId, write.runId);
  for (const t of write.tasks) {
    if (t.operator === "blob_prefix_sensor" && FINISHED_STATES.has(t.state as TaskState)) {
      await removeSensorWait({ instanceId, listener: blobSensorListener(t.taskId, t.mapIndex) });
    }
  }
  for (const t of write.tasks) {
    // A warning trace per miss: Application Insights alert rules watch for these.
    if (t.slaMissedDeadline) recordSlaMiss({ dag_id: write.dagId, run_id: write.runId, task_id: t.taskId, map_index: t.mapIndex, try_number: t.tryNumber }, t.slaMissedDeadline);
    if (t.slaMissedDeadline) context.warn(`SLA miss: ${write.dagId}.${t.taskId}${t.mapIndex >= 0 ? `[${t.mapIndex}]` : ""} in ${write.runId} finished ${t.state} at ${t.at}, after its deadline ${t.slaMissedDeadline}.`);
  }
  const l = appRunLedger();
  const dag = getDag(write.dagId);
  if (write.run) await writeRun(l, write, dag);
  const tasks = await withoutReuseEchoes(l, write);
  // A mapped task's instances replace its unexpanded row (map_index -1), as in Airflow.
  const expanded = new Set(tasks.filter((t) => t.mapIndex === 0).map((t) => t.taskId));
  for (const taskId of expanded) await l.deleteTaskInstance(write.dagId, write.runId, taskId, -1);
  return writeTaskRowsIfNewer(l, write.dagId, write.runId, tasks.map((t) => ({ ...taskRow(t, dag), ...rowExtras?.get(`${t.taskId}#${t.mapIndex}`) })));
}

async function writeRun(l: RunLedger, write: LedgerWrite, dag: CompiledDag | undefined): Promise<void> {
  const run = write.run!;
  const row: VersionedRunRow = { state: run.state, instance_id: run.instanceId, version: run.version };
  const input = run.input as unknown as DagRunInput | undefined;
  // A run started without the ledger (straight through the Durable API) still gets a full row.
  const unknown = run.state === "running" && input !== undefined && !(await l.getDagRun(write.dagId, write.runId));
  if (run.state !== "running") row.end_date = run.at;
  else Object.assign(row, { start_date: run.at, end_date: null });
  if (unknown && input) {
    Object.assign(row, {
      logical_date: input.logicalDate, data_interval_start: input.dataIntervalStart, data_interval_end: input.dataIntervalEnd,
      run_type: input.runType, external_trigger: input.externalTrigger, conf: input.conf, note: null, queued_at: run.at,
    });
  }
  const written = await writeRunIfNewer(l, write.dagId, write.runId, row);
  if (written && unknown && dag) await l.mergeTaskInstances(write.dagId, write.runId, placeholderTaskInstances(dag));
  if (written && run.state !== "running") {
    // Read after the write: the run's start is in its row, whoever wrote it.
    const stored = await l.getDagRun(write.dagId, write.runId);
    const started = stored?.start_date ? Date.parse(stored.start_date) : NaN;
    const seconds = Number.isFinite(started) ? (Date.parse(run.at) - started) / 1000 : undefined;
    recordRunOutcome({ dag_id: write.dagId, run_id: write.runId, run_type: stored?.run_type }, run.state, seconds);
  }
}

function taskRow(t: TaskStatePatch, dag: CompiledDag | undefined): VersionedTaskRow {
  const row: VersionedTaskRow = {
    task_id: t.taskId, map_index: t.mapIndex, state: t.state as TaskInstanceRecord["state"], version: t.version,
    // Airflow's max_tries is the task's retries, and operator the task's own (not a follow-up check's).
    try_number: t.tryNumber, max_tries: maxTriesOf(dag, t.taskId, t.maxTries - 1), operator: dag?.tasks[t.taskId]?.operator ?? t.operator,
    error: t.error ? maskSecrets(t.error).slice(0, 2000) : null,
    end_date: FINISHED_STATES.has(t.state as TaskState) ? t.at : null,
  };
  if (t.startedAt) row.start_date = t.startedAt;
  if (t.xcom !== null && t.xcom.length < 30_000) row.xcom = t.xcom;
  if (t.slaMissedDeadline) row.sla_missed_deadline = t.slaMissedDeadline;
  if (t.note) row.note = t.note;
  if (t.hostname) row.hostname = t.hostname;
  return row;
}

/** The task states of the latest run before this logical date, or null when this is the first run. */
export async function previousRunStates(input: { dagId: string; logicalDate: string }): Promise<TaskStates | null> {
  const target = Date.parse(input.logicalDate);
  const earlier = (await appRunLedger().listDagRuns(input.dagId)).filter((r) => Date.parse(r.logical_date) < target);
  const previous = earlier[earlier.length - 1];
  if (!previous) return null;
  const states: Record<string, string | null | (string | null)[]> = {};
  for (const ti of await appRunLedger().listTaskInstances(input.dagId, previous.dag_run_id)) {
    if (ti.map_index < 0) states[ti.task_id] = ti.state;
    else {
      const list = (states[ti.task_id] as (string | null)[] | undefined) ?? [];
      list[ti.map_index] = ti.state;
      states[ti.task_id] = list;
    }
  }
  return states as TaskStates;
}

/** Runs a success/failure/retry callback by registered name. Like Airflow, a failing callback is logged, not raised. */
export async function runCallback(input: CallbackInfo & { name: string }, context: InvocationContext): Promise<boolean> {
  const log = (message: string): void => context.log(maskSecrets(`[callback ${input.name}] ${message}`));
  const fn = getCallback(input.name);
  registerSettingsSecrets();
  try {
    if (!fn) throw new Error("no callback is registered under this name");
    // What the callback prints goes to the same masked log.
    await withTaskConsole((level, message) => (level === "error" ? context.error(maskSecrets(`[callback ${input.name}] ${message}`)) : log(message)), async () => fn(input, log));
    return true;
  } catch (err) {
    context.error(maskSecrets(`Callback '${input.name}' failed: ${(err as Error).message}`));
    return false;
  }
}

/** A scheduled run ended: start whatever is due now that a max_active_runs slot is free. */
export async function scheduleDue(input: { dagId: string }, context: InvocationContext): Promise<void> {
  const dag = getDag(input.dagId);
  if (dag) await scheduleNow(dag, context);
}
