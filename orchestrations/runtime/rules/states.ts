// Task-instance and DAG-run states, spelled as Airflow 2.10 spells them (the REST API exposes them).
export const TASK_STATES = [
  "scheduled", "queued", "running", "success", "failed", "skipped", "upstream_failed",
  "up_for_retry", "up_for_reschedule", "deferred", "removed", "restarting",
] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** null is Airflow's "no state yet" (not scheduled). */
export type TaskStateOrNone = TaskState | null;

/**
 * The states of one DAG run's task instances, by task id. A missing key or null means no state.
 * A mapped task that has been expanded holds one state per map index; before expansion (or after
 * an empty expansion, which skips it) it holds a single state like any other task.
 */
export type TaskStates = Readonly<Record<string, TaskStateOrNone | readonly TaskStateOrNone[]>>;

export const FINISHED_STATES: ReadonlySet<TaskState> = new Set(["success", "failed", "skipped", "upstream_failed", "removed"]);
export const FAILED_STATES: ReadonlySet<TaskState> = new Set(["failed", "upstream_failed"]);
export const SUCCESS_STATES: ReadonlySet<TaskState> = new Set(["success", "skipped"]);

export type DagRunState = "queued" | "running" | "success" | "failed";

export function isFinished(state: TaskStateOrNone): boolean {
  return state !== null && FINISHED_STATES.has(state);
}

/** Every instance state of a task: one for an unmapped or unexpanded task, one per map index otherwise. */
export function instanceStates(states: TaskStates, taskId: string): readonly TaskStateOrNone[] {
  const entry = states[taskId];
  if (entry === undefined) return [null];
  if (Array.isArray(entry)) return entry as readonly TaskStateOrNone[];
  return [entry as TaskStateOrNone];
}

/** The single state of an unexpanded task, or undefined when it has been expanded into instances. */
export function singleState(states: TaskStates, taskId: string): TaskStateOrNone | undefined {
  const entry = states[taskId];
  if (entry === undefined) return null;
  return Array.isArray(entry) ? undefined : (entry as TaskStateOrNone);
}
