// Task-instance rows as Airflow keeps them: every task of a run has one from the moment the run is
// created (state none, map_index -1 until a mapped task expands), and max_tries is the task's
// retries (Airflow's task.retries; the try count is try_number).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { TaskInstanceRecord } from "../ledger/records";

export type TaskInstancePatch = Partial<TaskInstanceRecord> & { task_id: string; map_index: number };

/** The rows a new run starts with: one per task, state none, no try yet. */
export function placeholderTaskInstances(dag: CompiledDag): TaskInstancePatch[] {
  return dag.taskOrder.map((taskId) => ({
    task_id: taskId, map_index: -1, try_number: 0, max_tries: dag.tasks[taskId].retry.retries, operator: dag.tasks[taskId].operator,
  }));
}

/** Airflow's max_tries for a task of a registered DAG, or `fallback` for a task the app does not know. */
export function maxTriesOf(dag: CompiledDag | undefined, taskId: string, fallback: number): number {
  return dag?.tasks[taskId]?.retry.retries ?? fallback;
}
