// GET /api/v1/dags/{dag_id}/dagRuns ("~" for every DAG's runs) and POST /api/v1/dags/~/dagRuns/list
// (the batch form): runs from the ledger with Airflow's filters, ordering and paging.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { apiRoute } from "./api-route";
import { dagRunResource } from "./dag-run-resource";
import { DAG_RUN_ORDERINGS, queryRuns } from "./dag-run-query";
import { dateRange, listParam, orderBy, orderParam, pageLimit, pageParams, selectFields, type DateRange } from "./query";
import { fieldError, optionalDate, optionalString, optionalStringList, readJsonObject, refuseNulls, refuseUnknownFields } from "./request-body";

export async function getDagRuns(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const query = request.query;
  const dagId = request.params.dag_id;
  const page = pageParams(query);
  const order = orderParam(query, DAG_RUN_ORDERINGS, "id");
  const fields = listParam(query, "fields");
  const { runs, total } = await queryRuns({
    dagIds: dagId === "~" ? null : [dagId],
    states: listParam(query, "state"),
    logicalDate: dateRange(query, "execution_date"),
    startDate: dateRange(query, "start_date"),
    endDate: dateRange(query, "end_date"),
    updatedAt: dateRange(query, "updated_at"),
  }, order, page, context);
  const resources = await Promise.all(runs.map(dagRunResource));
  return { status: 200, jsonBody: { dag_runs: selectFields(resources, fields, "DAGRunSchema"), total_entries: total } };
}

const BATCH_FIELDS = [
  "order_by", "page_offset", "page_limit", "dag_ids", "states", "execution_date_gte", "execution_date_lte",
  "start_date_gte", "start_date_lte", "end_date_gte", "end_date_lte", "updated_at_gte", "updated_at_lte",
];

function bodyInt(body: Record<string, unknown>, field: string, minimum: number): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw fieldError(field, "Not a valid integer.");
  if (value < minimum) throw fieldError(field, `Must be greater than or equal to ${minimum}.`);
  return value;
}

export async function getDagRunsBatch(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJsonObject(request);
  refuseUnknownFields(body, BATCH_FIELDS);
  refuseNulls(body);
  const order = orderBy(optionalString(body, "order_by"), DAG_RUN_ORDERINGS, "id");
  const dagIds = optionalStringList(body, "dag_ids");
  const states = optionalStringList(body, "states") ?? [];
  const page = { limit: pageLimit(bodyInt(body, "page_limit", 1)), offset: bodyInt(body, "page_offset", 0) ?? 0 };
  const range = (field: string): DateRange => ({ gte: optionalDate(body, `${field}_gte`), lte: optionalDate(body, `${field}_lte`) });
  const { runs, total } = await queryRuns({
    // As in Airflow, an empty dag_ids is every DAG.
    dagIds: dagIds?.length ? dagIds : null, states, logicalDate: range("execution_date"), startDate: range("start_date"), endDate: range("end_date"), updatedAt: range("updated_at"),
  }, order, page, context);
  return { status: 200, jsonBody: { dag_runs: await Promise.all(runs.map(dagRunResource)), total_entries: total } };
}

apiRoute("api_get_dag_runs", "GET", "dags/{dag_id}/dagRuns", getDagRuns, { durableClient: true });
apiRoute("api_get_dag_runs_batch", "POST", "dags/~/dagRuns/list", getDagRunsBatch, { durableClient: true });
