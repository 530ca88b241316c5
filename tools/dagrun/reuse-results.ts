// `rerun --failed-only`: which tasks of a finished run keep their results. Like Airflow's
// `tasks clear --only-failed`, success and skipped instances stay; everything else runs again.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { TaskInstanceRecord } from "../../functions/ledger/records";
import { planRerun, type RerunPlan } from "../../functions/runs/rerun-plan";

export type ReusePlan = RerunPlan;

/** Like Airflow's `tasks clear --only-failed`: success and skipped instances keep their results. */
export function planReuse(dag: CompiledDag, instances: readonly TaskInstanceRecord[]): ReusePlan {
  return planRerun(dag, instances);
}

/**
 * The runtime rewrites reused instances when the rerun starts; put back when and how often they
 * really ran, as Airflow leaves the instances it does not clear untouched.
 */
export function restoredRows(original: readonly TaskInstanceRecord[], reused: ReadonlySet<string>): (Partial<TaskInstanceRecord> & { task_id: string; map_index: number })[] {
  return original.filter((ti) => reused.has(ti.task_id)).map((ti) => ({
    task_id: ti.task_id, map_index: ti.map_index, try_number: ti.try_number, start_date: ti.start_date, end_date: ti.end_date,
    duration: ti.duration, ...(ti.hostname ? { hostname: ti.hostname } : {}),
  }));
}
