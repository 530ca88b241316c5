// GET /api/v1/dags/{dag_id}/dagRuns: a DAG's runs from the ledger ("~" for every DAG's), with
// Airflow's filters, ordering (oldest logical date first by default) and paging.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { listDags } from "../../dag-registry";
import type { DagRunRecord } from "../../ledger/records";
import { appRunLedger } from "../../runs/app-run-ledger";
import { compareInstants, instantOf } from "./api-dates";
import { dagRunResource } from "./dag-run-resource";
import { apiHandler } from "./problem";
import { compareText, dateParam, listParam, orderParam, pageOf, pageParams, type Comparator } from "./query";

const byLogicalDate: Comparator<DagRunRecord> = (a, b) => compareInstants(a.logical_date, b.logical_date) || compareText(a.dag_id, b.dag_id) || compareText(a.dag_run_id, b.dag_run_id);

// Airflow's allowed sort attributes; "id" (insertion order there) is the logical date order here.
const ORDERINGS: Record<string, Comparator<DagRunRecord>> = {
  id: byLogicalDate,
  logical_date: byLogicalDate,
  execution_date: byLogicalDate,
  dag_run_id: (a, b) => compareText(a.dag_run_id, b.dag_run_id),
  dag_id: (a, b) => compareText(a.dag_id, b.dag_id) || byLogicalDate(a, b),
  state: (a, b) => compareText(a.state, b.state) || byLogicalDate(a, b),
  start_date: (a, b) => compareInstants(a.start_date, b.start_date) || byLogicalDate(a, b),
  end_date: (a, b) => compareInstants(a.end_date, b.end_date) || byLogicalDate(a, b),
  external_trigger: (a, b) => Number(a.external_trigger) - Number(b.external_trigger) || byLogicalDate(a, b),
};

function inRange(value: string | null, gte: number | undefined, lte: number | undefined): boolean {
  if (gte === undefined && lte === undefined) return true;
  const at = instantOf(value);
  return at !== null && (gte === undefined || at >= gte) && (lte === undefined || at <= lte);
}

export async function getDagRuns(request: HttpRequest): Promise<HttpResponseInit> {
  const query = request.query;
  const dagId = request.params.dag_id;
  const page = pageParams(query);
  const order = orderParam(query, ORDERINGS, "logical_date");
  const states = listParam(query, "state");
  const range = (field: string) => [dateParam(query, `${field}_gte`), dateParam(query, `${field}_lte`)] as const;
  const [logicalGte, logicalLte] = range("execution_date");
  const [startGte, startLte] = range("start_date");
  const [endGte, endLte] = range("end_date");

  const ledger = appRunLedger();
  const dagIds = dagId === "~" ? listDags().map((d) => d.dagId) : [dagId];
  const runs = (await Promise.all(dagIds.map((id) => ledger.listDagRuns(id)))).flat();
  const matching = runs
    .filter((r) => states.length === 0 || states.includes(r.state))
    .filter((r) => inRange(r.logical_date, logicalGte, logicalLte) && inRange(r.start_date, startGte, startLte) && inRange(r.end_date, endGte, endLte))
    .sort(order);
  return { status: 200, jsonBody: { dag_runs: pageOf(matching, page).map(dagRunResource), total_entries: matching.length } };
}

app.http("api_get_dag_runs", { route: "v1/dags/{dag_id}/dagRuns", methods: ["GET"], authLevel: "function", handler: apiHandler(getDagRuns) });
