// What a finished DAG run looked like: its state and every task instance from the ledger, in the
// DAG's order. `dags test`, `dags rerun`, backfill and the demo print these.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { DagRunOutput } from "../../orchestrations/runtime/orchestrator/run-input";
import type { InstanceStatus } from "../devhost";
import type { RunLedger } from "../../functions/ledger/run-ledger";

export interface TaskRow {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  /** Seconds, as the ledger records them. */
  duration: number | null;
  error: string | null;
  /** Carried over from an earlier run (`rerun --failed-only`), not run again. */
  reused: boolean;
}

export interface RunReport {
  dagId: string;
  runId: string;
  logicalDate: string;
  state: "success" | "failed";
  /** Why the run failed when no task says so (deadlock, timeout, an orchestration error). */
  reason: string | null;
  tasks: TaskRow[];
  /** Wall-clock seconds from start to finish (timers skip ahead under the virtual clock). */
  wallSeconds: number;
}

function isRunOutput(value: unknown): value is DagRunOutput {
  return !!value && typeof value === "object" && "state" in value && "tasks" in value;
}

/** The run's final state from the engine: the orchestration's output, or why it ended otherwise. */
export function runOutcome(status: InstanceStatus | undefined, waitError?: Error): { state: "success" | "failed"; reason: string | null } {
  if (waitError) return { state: "failed", reason: waitError.message };
  if (!status) return { state: "failed", reason: "the orchestration was not found" };
  if (status.runtimeStatus === "Completed" && isRunOutput(status.output)) return { state: status.output.state, reason: status.output.reason };
  const why = status.failure?.ErrorMessage ?? (typeof status.output === "string" ? status.output : JSON.stringify(status.output));
  return { state: "failed", reason: `orchestration ${status.runtimeStatus}: ${why}` };
}

export async function collectReport(
  ledger: RunLedger,
  dag: CompiledDag,
  run: { runId: string; logicalDate: string },
  outcome: { state: "success" | "failed"; reason: string | null },
  wallSeconds: number,
  reused: ReadonlySet<string> = new Set(),
): Promise<RunReport> {
  const order = new Map(dag.taskOrder.map((id, i) => [id, i]));
  const recorded = await ledger.listTaskInstances(dag.dagId, run.runId);
  const rows: TaskRow[] = recorded.map((ti) => ({
    taskId: ti.task_id, mapIndex: ti.map_index, state: ti.state ?? "none", tryNumber: ti.try_number,
    duration: ti.duration, error: ti.error, reused: reused.has(ti.task_id),
  }));
  // Tasks the run never reached have no ledger row; Airflow lists them with no state.
  const seen = new Set(recorded.map((ti) => ti.task_id));
  for (const taskId of dag.taskOrder) {
    if (!seen.has(taskId)) rows.push({ taskId, mapIndex: -1, state: "none", tryNumber: 0, duration: null, error: null, reused: false });
  }
  rows.sort((a, b) => (order.get(a.taskId) ?? 0) - (order.get(b.taskId) ?? 0) || a.mapIndex - b.mapIndex);
  return { dagId: dag.dagId, runId: run.runId, logicalDate: run.logicalDate, ...outcome, tasks: rows, wallSeconds };
}
