// Runs a DAG of a test app through the local runtime and collects what tests check: the run's
// output, its task instances from the ledger and the orchestration history.
import * as path from "node:path";
import type { TaskInstanceRecord, DagRunRecord } from "../../functions/ledger/records";
import type { DagRunOutput } from "../../orchestrations/runtime/orchestrator/run-input";
import { startLocalDagRuntime, type LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";

export interface FinishedRun {
  run: DagRunRecord;
  output: DagRunOutput;
  tasks: TaskInstanceRecord[];
  /** Task instance by "task_id" or "task_id[map_index]". */
  ti(id: string): TaskInstanceRecord;
  history: Record<string, unknown>[];
}

/** The built entry of an app under test/apps/<name>. */
export function testAppEntry(name: string): string {
  return path.resolve(__dirname, "..", "apps", name, "index.js");
}

export async function startTestRuntime(appName?: string): Promise<LocalDagRuntime> {
  return startLocalDagRuntime({ entry: appName ? testAppEntry(appName) : undefined });
}

export async function runDag(
  rt: LocalDagRuntime,
  dagId: string,
  options: { conf?: Record<string, unknown>; logicalDate?: string; runId?: string; timeoutMs?: number } = {},
): Promise<FinishedRun> {
  const { createDagRun } = await import("../../functions/runs/create-dag-run");
  const { getDag } = await import("../../functions/dag-registry");
  const dag = getDag(dagId);
  if (!dag) throw new Error(`DAG ${dagId} is not registered in the app under test`);
  // Unique per call: runs of earlier test runs stay in Azurite.
  const logicalDate = options.logicalDate ?? new Date(Date.now() - Math.floor(Math.random() * 1e9)).toISOString();
  const created = await createDagRun({ ledger: rt.ledger, starter: rt.starter, now: new Date() }, dag, {
    runType: "manual", logicalDate, conf: options.conf ?? {}, runId: options.runId,
  });
  if (!created.created) throw new Error(`run exists already: ${created.conflict}`);
  const status = await rt.engine.waitForCompletion(created.run.instance_id, { timeoutMs: options.timeoutMs ?? 120_000 });
  if (status.runtimeStatus !== "Completed") {
    throw new Error(`orchestration ended ${status.runtimeStatus}: ${JSON.stringify(status.failure ?? status.output)}`);
  }
  const tasks = await rt.ledger.listTaskInstances(dagId, created.run.dag_run_id);
  const run = (await rt.ledger.getDagRun(dagId, created.run.dag_run_id))!;
  const history = (rt.engine.getStatus(created.run.instance_id, { showHistory: true })?.history ?? []) as unknown as Record<string, unknown>[];
  return {
    run,
    output: status.output as DagRunOutput,
    tasks,
    history,
    ti(id: string) {
      const m = /^(.*?)(?:\[(\d+)\])?$/.exec(id)!;
      const found = tasks.find((t) => t.task_id === m[1] && t.map_index === (m[2] === undefined ? -1 : Number(m[2])));
      if (!found) throw new Error(`no task instance ${id}; have ${tasks.map((t) => `${t.task_id}[${t.map_index}]`).join(", ")}`);
      return found;
    },
  };
}

const TASK_SCHEDULED = 4;
const TASK_COMPLETED = 5;
const TASK_FAILED = 6;

interface Attempt {
  id: number;
  scheduledMs: number;
  endedMs: number | null;
}

/** Runs the DAG for a logical date again from nothing: the run already at that date, if any, is deleted first. */
export async function rerunDate(rt: LocalDagRuntime, dagId: string, logicalDate: string, conf: Record<string, unknown> = {}): Promise<FinishedRun> {
  const existing = await rt.ledger.findDagRunByLogicalDate(dagId, logicalDate);
  if (existing) await rt.ledger.deleteRun(dagId, existing.dag_run_id);
  return runDag(rt, dagId, { logicalDate, conf });
}

/** The attempts (and pokes) of one task instance, from the orchestration history, in order. */
export function attemptsOf(history: Record<string, unknown>[], taskId: string, mapIndex = -1): Attempt[] {
  const ended = new Map<number, number>();
  for (const e of history) {
    if (e.EventType === TASK_COMPLETED || e.EventType === TASK_FAILED) ended.set(e.TaskScheduledId as number, Date.parse(String(e.Timestamp)));
  }
  return history
    .filter((e) => e.EventType === TASK_SCHEDULED && String(e.Name).startsWith("op_"))
    .filter((e) => {
      const input = JSON.parse(String(e.Input)) as { taskId?: string; mapIndex?: number };
      return input.taskId === taskId && input.mapIndex === mapIndex;
    })
    .map((e) => ({ id: e.EventId as number, scheduledMs: Date.parse(String(e.Timestamp)), endedMs: ended.get(e.EventId as number) ?? null }));
}

/** Seconds the instance waited between the end of each attempt (or poke) and the start of the next. */
export function waitsBetweenAttempts(history: Record<string, unknown>[], taskId: string, mapIndex = -1): number[] {
  const attempts = attemptsOf(history, taskId, mapIndex);
  return attempts.slice(1).map((a, i) => Math.round((a.scheduledMs - (attempts[i].endedMs ?? attempts[i].scheduledMs)) / 1000));
}
