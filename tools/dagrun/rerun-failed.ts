// Starting a finished run again with its successful results reused (`dags rerun --failed-only`,
// `dags backfill --rerun-failed-tasks`).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { DagRunRecord } from "../../functions/ledger/records";
import type { CliRuntime } from "./cli-runtime";
import { planReuse, restoredRows } from "./reuse-results";
import { restartRun } from "./run-dag";

export interface StartedRerun {
  reused: ReadonlySet<string>;
  rerun: string[];
  /** Call once the run finished: puts the reused instances' original times and tries back. */
  restore(): Promise<void>;
}

export async function rerunFailedTasks(rt: CliRuntime, dag: CompiledDag, run: DagRunRecord): Promise<StartedRerun> {
  const original = await rt.ledger.listTaskInstances(dag.dagId, run.dag_run_id);
  const plan = planReuse(dag, original);
  const reused = new Set(Object.keys(plan.reuse));
  // Rows of the tasks that run again go first: a mapped task may expand to fewer instances now.
  await rt.ledger.deleteTaskInstances(dag.dagId, run.dag_run_id, plan.rerun);
  await restartRun(rt, run, plan.reuse);
  return {
    reused,
    rerun: plan.rerun,
    restore: () => rt.ledger.mergeTaskInstances(dag.dagId, run.dag_run_id, restoredRows(original, reused)),
  };
}
