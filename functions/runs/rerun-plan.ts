// Running a finished run again with some results kept: which tasks keep their result (reused by
// the orchestrator through DagRunInput.reuse) and which run again. Shared by the CLI's
// `dags rerun --failed-only` and the REST API's clearTaskInstances. Success and skipped instances
// of tasks not cleared stay; every other task runs again.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { JsonValue } from "../../orchestrations/runtime/model/json";
import type { ReusedTask } from "../../orchestrations/runtime/orchestrator/run-input";
import type { TaskInstanceRecord } from "../ledger/records";

export interface RerunPlan {
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

export function planRerun(dag: CompiledDag, instances: readonly TaskInstanceRecord[], cleared: ReadonlySet<string> = new Set()): RerunPlan {
  const byTask = new Map<string, TaskInstanceRecord[]>();
  for (const ti of instances) byTask.set(ti.task_id, [...(byTask.get(ti.task_id) ?? []), ti]);
  const plan: RerunPlan = { reuse: {}, rerun: [] };
  for (const taskId of dag.taskOrder) {
    const rows = byTask.get(taskId) ?? [];
    const mapped = rows.filter((r) => r.map_index >= 0).sort((a, b) => a.map_index - b.map_index);
    const unmapped = rows.find((r) => r.map_index < 0);
    if (cleared.has(taskId)) {
      plan.rerun.push(taskId);
    } else if (mapped.length) {
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
