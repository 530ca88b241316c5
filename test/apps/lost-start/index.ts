// A scheduled DAG with max_active_runs 1 for the lost-start test: its daily runs since
// LOST_START_FROM (catchup), one task that appends its run id to LOST_START_LOG so the test can
// count executions. The DAG id carries LOST_START_SUFFIX (the ledger outlives test runs); the
// creator that is killed and the host that recovers load this same app with the same settings.
import * as fs from "node:fs";
import "../../../functions/activities";
import "../../../functions/triggers/reconcile-trigger";
import { registerCallable } from "../../../functions/activities/callable";
import { registerDag } from "../../../functions/register-dag";
import { dag, python } from "../../../orchestrations/runtime";

export const LOST_START_DAG = `lost_start_${process.env.LOST_START_SUFFIX ?? "x"}`;

registerCallable("lost_start.record", (_kwargs, ctx) => {
  fs.appendFileSync(process.env.LOST_START_LOG ?? "/dev/null", `${ctx.runId}\n`);
  return ctx.runId;
});

registerDag(dag({
  dagId: LOST_START_DAG,
  schedule: "@daily",
  startDate: process.env.LOST_START_FROM ?? "2024-01-01",
  catchup: true,
  maxActiveRuns: 1,
  tasks: (t) => {
    t.task("record", python("lost_start.record"));
  },
}));
