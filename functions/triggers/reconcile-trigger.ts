// Every DAG's active runs checked against Durable when the host starts and every five minutes
// (reconcile-runs.ts): a run whose start was lost in a crash between its ledger row and its
// orchestration starts, and a run whose orchestration ended unheard ends. The schedule timers and
// the REST API's reads do the same for their DAG or run; this reaches manual-only DAGs (no timer)
// and a host that restarts after a crash, without anyone reading the API.
import { app, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { listDags } from "../dag-registry";
import { appRunLedger } from "../runs/app-run-ledger";
import { durableClientStarter } from "../runs/orchestration-starter";
import { durableStatusSource, reconcileRuns } from "../runs/reconcile-runs";

export const RECONCILE_FUNCTION = "reconcile_runs";
/** NCRONTAB: every five minutes, on the minute. */
export const RECONCILE_SCHEDULE = "0 */5 * * * *";

export async function reconcileAllRuns(context: InvocationContext): Promise<number> {
  const client = df.getClient(context);
  const deps = { ledger: appRunLedger(), status: durableStatusSource(client), starter: durableClientStarter(client) };
  let changed = 0;
  for (const dag of listDags()) {
    try {
      const active = (await deps.ledger.listDagRuns(dag.dagId)).filter((r) => r.state === "queued" || r.state === "running");
      if (!active.length) continue;
      for (const r of await reconcileRuns(deps, active, new Date())) {
        if (r.error) context.error(`Run ${dag.dagId}/${r.run.dag_run_id}: ${r.error}`);
        if (!r.reconciled) continue;
        changed++;
        context.warn(`Run ${dag.dagId}/${r.run.dag_run_id} ${r.reason}; now ${r.run.state}.`);
      }
    } catch (err) {
      // One DAG's trouble (its ledger partition, a start Durable refused) leaves the others checked.
      context.error(`Reconciling the runs of '${dag.dagId}' failed: ${(err as Error).message}`);
    }
  }
  return changed;
}

app.timer(RECONCILE_FUNCTION, {
  schedule: RECONCILE_SCHEDULE,
  // At every host start: a crash's lost starts are picked up as soon as the host is back. The
  // work is idempotent, so a start on each scaled-out instance costs a few reads and nothing more.
  runOnStartup: true,
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: unknown, context: InvocationContext) => {
    const changed = await reconcileAllRuns(context);
    context.log(`Reconciled runs: ${changed} changed.`);
  },
});
