// Listing runs the way Airflow's GET /dags/{dag_id}/dagRuns and POST /dags/~/dagRuns/list do:
// filters, Airflow's sortable fields, paging. Active runs are reconciled with Durable first, so a
// run whose orchestration is gone does not show as running.
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { listDags } from "../../dag-registry";
import type { DagRunRecord } from "../../ledger/records";
import { appRunLedger } from "../../runs/app-run-ledger";
import { durableClientStarter } from "../../runs/orchestration-starter";
import { durableStatusSource, reconcileRuns } from "../../runs/reconcile-runs";
import { compareStoredInstants, compareText, inDateRange, type Comparator, type DateRange, type Page } from "./query";

const byLogicalDate: Comparator<DagRunRecord> = (a, b) => compareStoredInstants(a.logical_date, b.logical_date) || compareText(a.dag_id, b.dag_id) || compareText(a.dag_run_id, b.dag_run_id);
// Airflow's "id" is insertion order: when the run was queued here.
const byCreation: Comparator<DagRunRecord> = (a, b) => compareStoredInstants(a.queued_at, b.queued_at) || byLogicalDate(a, b);
const confText = (r: DagRunRecord) => JSON.stringify(r.conf);

/** Airflow's allowed sort attributes for runs (and logical_date, the name of execution_date since 2.2). */
export const DAG_RUN_ORDERINGS: ReadonlyMap<string, Comparator<DagRunRecord>> = new Map<string, Comparator<DagRunRecord>>([
  ["id", byCreation],
  ["execution_date", byLogicalDate],
  ["logical_date", byLogicalDate],
  ["dag_run_id", (a, b) => compareText(a.dag_run_id, b.dag_run_id)],
  ["dag_id", (a, b) => compareText(a.dag_id, b.dag_id) || byCreation(a, b)],
  ["state", (a, b) => compareText(a.state, b.state) || byCreation(a, b)],
  ["start_date", (a, b) => compareStoredInstants(a.start_date, b.start_date) || byCreation(a, b)],
  ["end_date", (a, b) => compareStoredInstants(a.end_date, b.end_date) || byCreation(a, b)],
  ["updated_at", (a, b) => compareStoredInstants(a.updated_at, b.updated_at) || byCreation(a, b)],
  ["external_trigger", (a, b) => Number(a.external_trigger) - Number(b.external_trigger) || byCreation(a, b)],
  // Airflow orders by the stored conf; here by its JSON text.
  ["conf", (a, b) => compareText(confText(a), confText(b)) || byCreation(a, b)],
]);

export interface DagRunFilter {
  /** null: every DAG. */
  dagIds: readonly string[] | null;
  states: readonly string[];
  logicalDate: DateRange;
  startDate: DateRange;
  endDate: DateRange;
  updatedAt: DateRange;
}

/** The runs of these DAGs, with runs whose orchestration ended unnoticed brought up to date. */
export async function readRuns(dagIds: readonly string[] | null, context: InvocationContext): Promise<DagRunRecord[]> {
  const ledger = appRunLedger();
  const ids = dagIds ?? listDags().map((d) => d.dagId);
  const runs = (await Promise.all([...new Set(ids)].map((id) => ledger.listDagRuns(id)))).flat();
  if (!runs.some((r) => r.state === "queued" || r.state === "running")) return runs;
  const client = df.getClient(context);
  const reconciled = await reconcileRuns({ ledger, status: durableStatusSource(client), starter: durableClientStarter(client) }, runs, new Date());
  return reconciled.map((r) => r.run);
}

export async function queryRuns(filter: DagRunFilter, order: Comparator<DagRunRecord>, page: Page, context: InvocationContext): Promise<{ runs: DagRunRecord[]; total: number }> {
  const matching = (await readRuns(filter.dagIds, context))
    .filter((r) => filter.states.length === 0 || filter.states.includes(r.state))
    .filter((r) => inDateRange(r.logical_date, filter.logicalDate) && inDateRange(r.start_date, filter.startDate)
      && inDateRange(r.end_date, filter.endDate) && inDateRange(r.updated_at, filter.updatedAt))
    .sort(order);
  return { runs: matching.slice(page.offset, page.offset + page.limit), total: matching.length };
}
