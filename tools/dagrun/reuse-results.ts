// `rerun --failed-only`: which tasks of a finished run keep their results. Like Airflow's
// `tasks clear --only-failed`, success and skipped instances stay; everything else runs again.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { JsonValue } from "../../orchestrations/runtime/model/json";
import type { ReusedTask } from "../../orchestrations/runtime/orchestrator/run-input";
import type { TaskInstanceRecord } from "../../functions/ledger/records";

export interface ReusePlan {
  reuse: Record<string, ReusedTask>;
  /** Task ids that run again. */
  rerun: string[];
}

function kept(state: string | null): state is "success" | "skipped" {
  return state === "success" || state === "skipped";
}

function storedXCom(ti: TaskInstanceRecord): JsonValue {
  return ti.xcom === null ? null : (JSON.parse(ti.xcom) as JsonValue);
}

export function planReuse(dag: CompiledDag, instances: readonly TaskInstanceRecord[]): ReusePlan {
  const byTask = new Map<string, TaskInstanceRecord[]>();
  for (const ti of instances) byTask.set(ti.task_id, [...(byTask.get(ti.task_id) ?? []), ti]);
  const plan: ReusePlan = { reuse: {}, rerun: [] };
  for (const taskId of dag.taskOrder) {
    const rows = byTask.get(taskId) ?? [];
    const mapped = rows.filter((r) => r.map_index >= 0).sort((a, b) => a.map_index - b.map_index);
    const unmapped = rows.find((r) => r.map_index < 0);
    if (mapped.length) {
      // One state for all instances is all the runtime can carry over, and the indexes must be whole.
      const state = mapped[0].state;
      const whole = mapped.every((r, i) => r.map_index === i && r.state === state);
      if (whole && kept(state)) plan.reuse[taskId] = { state, mapped: true, xcom: mapped.map(storedXCom) };
      else plan.rerun.push(taskId);
    } else if (unmapped && kept(unmapped.state)) {
      plan.reuse[taskId] = { state: unmapped.state, mapped: false, xcom: storedXCom(unmapped) };
    } else {
      plan.rerun.push(taskId);
    }
  }
  return plan;
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
