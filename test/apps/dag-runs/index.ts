// Test app for DAG run creation through the real Durable client: the REST API modules, a schedule
// timer per DAG, and a trivial orchestration per DAG that stands in for the generic DAG
// orchestrator by writing what it would to the ledger (run running, each task success, run success).
import * as df from "durable-functions";
import { addDag, getDag } from "../../../functions/dag-registry";
import { appRunLedger } from "../../../functions/runs/app-run-ledger";
import { registerScheduleTrigger } from "../../../functions/triggers/schedule-trigger";
import type { DagRunInput } from "../../../orchestrations/runtime/orchestrator/run-input";
import "../../../functions/http/api";
import { testDags } from "./state";

const RECORD_RUN = "dag_runs_test_record_run";

df.app.activity(RECORD_RUN, {
  handler: async (input: DagRunInput) => {
    const ledger = appRunLedger();
    const dag = getDag(input.dagId);
    if (!dag) throw new Error(`unknown DAG ${input.dagId}`);
    // toISOString's "Z" form on purpose: the API must print +00:00 whatever the writer used.
    const startedAt = new Date().toISOString();
    await ledger.updateDagRun(input.dagId, input.runId, { state: "running", start_date: startedAt });
    for (const taskId of dag.taskOrder) {
      await ledger.putTaskInstance({
        dag_id: input.dagId, dag_run_id: input.runId, task_id: taskId, map_index: -1, state: "success", try_number: 1,
        max_tries: dag.tasks[taskId].retry.retries, operator: dag.tasks[taskId].operator,
        start_date: startedAt, end_date: new Date().toISOString(), duration: 0.25, error: null, xcom: null,
      });
    }
    await ledger.updateDagRun(input.dagId, input.runId, { state: "success", end_date: new Date().toISOString() });
    return dag.taskOrder.length;
  },
});

for (const dag of testDags) {
  addDag(dag);
  df.app.orchestration(dag.dagId, function* (context: df.OrchestrationContext) {
    const input = context.df.getInput() as DagRunInput;
    const tasks: number = yield context.df.callActivity(RECORD_RUN, input);
    return { dagId: input.dagId, runId: input.runId, state: "success", tasks };
  });
  registerScheduleTrigger(dag);
}
