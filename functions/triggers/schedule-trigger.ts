// A DAG's schedule as a timer trigger: the timer only wakes the scheduler at each schedule point;
// what to run is decided from the timetable and the ledger (scheduleDueRuns), so a late, missed
// or doubled firing still creates each interval's run exactly once.
//
// No timer is registered for a manual-only DAG (schedule null) or an @once DAG: NCRONTAB cannot
// say "once". An @once DAG's single run is started by a manual trigger (POST
// /api/v1/dags/{dag_id}/dagRuns or `azflow dags trigger`), which is what the run would have been.
import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { toNcrontab } from "../../orchestrations/runtime/time/ncrontab";
import { appDagStateStore } from "../ledger/dag-state";
import { appRunLedger } from "../runs/app-run-ledger";
import { durableStatusSource, reconcileRuns } from "../runs/reconcile-runs";
import { durableClientStarter } from "../runs/orchestration-starter";
import { describeOutcome, scheduleDueRuns } from "../runs/schedule-due-runs";

/** Function names allow letters, digits, "_" and "-"; DAG ids may also hold dots. */
export function scheduleFunctionName(dagId: string): string {
  return `schedule_${dagId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
}

/** The NCRONTAB the DAG's timer fires on, or null when the DAG gets no timer (manual, @once). */
export function scheduleTimerFor(dag: CompiledDag): string | null {
  if (dag.schedule.kind === "once") return null;
  // Throws NcrontabError for a cron that no single timer can express: better at start-up than a
  // schedule that silently misses runs.
  return toNcrontab(dag.schedule);
}

/** Creates the DAG's due runs; shared by its timer and by a scheduled run that just ended. */
export async function scheduleNow(dag: CompiledDag, context: InvocationContext): Promise<void> {
  // Paused through the API (PATCH /dags), or initially by AZFLOW_PAUSED_DAGS.
  const paused = await appDagStateStore().isPaused(dag.dagId);
  const client = df.getClient(context);
  const starter = durableClientStarter(client);
  // Runs whose start was lost start now; runs whose orchestration ended without telling the ledger
  // (terminated, purged, crashed) end here, so they free their max_active_runs slots.
  const reconciled = await reconcileRuns({ ledger: appRunLedger(), status: durableStatusSource(client), starter }, await appRunLedger().listDagRuns(dag.dagId), new Date());
  for (const r of reconciled.filter((x) => x.reconciled)) context.warn(`Run ${dag.dagId}/${r.run.dag_run_id} ${r.reason}; now ${r.run.state}.`);
  for (const r of reconciled.filter((x) => x.error)) context.error(`Run ${dag.dagId}/${r.run.dag_run_id}: ${r.error}`);
  const outcome = await scheduleDueRuns(dag, appRunLedger(), starter, new Date(), paused);
  if (outcome.failedToStart.length) {
    context.error(describeOutcome(outcome));
    // A failed invocation is what monitoring alerts on; the runs are already marked failed.
    throw new Error(`${outcome.failedToStart.length} scheduled run(s) of '${dag.dagId}' failed to start`);
  }
  context.log(describeOutcome(outcome));
}

export function registerScheduleTrigger(dag: CompiledDag): void {
  const schedule = scheduleTimerFor(dag);
  if (schedule === null) return;
  app.timer(scheduleFunctionName(dag.dagId), {
    schedule,
    extraInputs: [df.input.durableClient()],
    handler: async (timer: Timer, context: InvocationContext) => {
      if (timer.isPastDue) context.log(`Timer for DAG '${dag.dagId}' fired late; due runs are computed from the ledger, nothing is lost.`);
      await scheduleNow(dag, context);
    },
  });
}
