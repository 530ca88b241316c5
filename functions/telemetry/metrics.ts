// The metrics azflow reports, one function each, for activities to call. Every task metric carries
// the task-instance key (dag_id, run_id, task_id, try_number, map_index), so a chart can be split
// by any of them and joined with the task's log lines. Recording never throws.
import { emitRecord } from "./sinks";
import type { MetricName, TaskDimensions } from "./records";

type Dimensions = Record<string, string | number>;

function record(name: MetricName, value: number, unit: string, dimensions: Dimensions): void {
  if (!Number.isFinite(value)) return;
  try {
    emitRecord({ kind: "metric", time: new Date().toISOString(), name, value, unit, dimensions });
  } catch (err) {
    // A malformed telemetry setting: the task logger reports it; a metric is never worth a failure.
    void err;
  }
}

/** One task attempt ended: how long it ran and how (success, failed, skipped, up_for_retry, ...). */
export function recordTaskDuration(task: TaskDimensions, seconds: number, state: string, operator: string): void {
  record("azflow.task.duration", seconds, "s", { ...task, state, operator });
}

/** Rows written to a target (a table, a file) by a task. */
export function recordRowsLoaded(task: TaskDimensions, rows: number, target: string): void {
  record("azflow.rows.loaded", rows, "{row}", { ...task, target });
}

/** Rows or messages set aside with a reason instead of loaded (dead-letter, quarantine). */
export function recordRowsDeadLettered(task: TaskDimensions, rows: number, target: string, reason: string): void {
  record("azflow.rows.dead_lettered", rows, "{row}", { ...task, target, reason });
}

/** How far a consumer group is behind the end of one partition, in messages. */
export function recordConsumerLag(task: TaskDimensions, lag: number, topic: string, partition: number, group: string): void {
  record("azflow.consumer.lag", lag, "{message}", { ...task, topic, partition, group });
}

/** A DAG run reached a final state; its duration when its start is known. */
export function recordRunOutcome(run: { dag_id: string; run_id: string; run_type?: string }, state: string, seconds?: number): void {
  const dims = { dag_id: run.dag_id, run_id: run.run_id, run_type: run.run_type ?? "", state };
  record("azflow.dag_run.outcome", 1, "{run}", dims);
  if (seconds !== undefined) record("azflow.dag_run.duration", seconds, "s", dims);
}

/** A task finished after its SLA deadline. */
export function recordSlaMiss(task: Omit<TaskDimensions, "try_number"> & { try_number?: number }, deadline: string): void {
  record("azflow.sla.misses", 1, "{miss}", { ...task, try_number: task.try_number ?? 0, deadline });
}

/** The task-instance key of an operator's context. */
export function taskDimensionsOf(ctx: { dagId: string; runId: string; taskId: string; tryNumber: number; mapIndex: number }): TaskDimensions {
  return { dag_id: ctx.dagId, run_id: ctx.runId, task_id: ctx.taskId, try_number: ctx.tryNumber, map_index: ctx.mapIndex };
}
