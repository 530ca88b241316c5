// GET /api/v1/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances ("~" for every DAG or run) and its
// batch form POST /api/v1/dags/~/dagRuns/~/taskInstances/list. Like Airflow, an unknown DAG or run
// is an empty list, not a 404.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { apiRoute } from "./api-route";
import { dateRange, listParam, numberParam, pageLimit, pageParams, type DateRange } from "./query";
import { fieldError, optionalDate, optionalStringList, readJsonObject, refuseNulls, refuseUnknownFields } from "./request-body";
import { queryTaskInstances } from "./task-instance-query";

export async function getTaskInstances(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const q = request.query;
  const { items, total } = await queryTaskInstances({
    dagIds: dagId === "~" ? null : [dagId],
    runIds: runId === "~" ? null : [runId],
    taskIds: null,
    logicalDate: dateRange(q, "execution_date"),
    startDate: dateRange(q, "start_date"),
    endDate: dateRange(q, "end_date"),
    updatedAt: dateRange(q, "updated_at"),
    durationGte: numberParam(q, "duration_gte"),
    durationLte: numberParam(q, "duration_lte"),
    states: listParam(q, "state"),
    pools: listParam(q, "pool"),
    queues: listParam(q, "queue"),
    executors: listParam(q, "executor"),
  }, pageParams(q), context);
  return { status: 200, jsonBody: { task_instances: items, total_entries: total } };
}

const BATCH_FIELDS = [
  "page_offset", "page_limit", "dag_ids", "dag_run_ids", "task_ids", "execution_date_gte", "execution_date_lte", "start_date_gte", "start_date_lte",
  "end_date_gte", "end_date_lte", "duration_gte", "duration_lte", "state", "pool", "queue", "executor",
];

function bodyNumber(body: Record<string, unknown>, field: string, options: { minimum?: number; integer?: boolean } = {}): number | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) throw fieldError(field, "Not a valid number.");
  if (options.integer && !Number.isInteger(value)) throw fieldError(field, "Not a valid integer.");
  if (options.minimum !== undefined && value < options.minimum) throw fieldError(field, `Must be greater than or equal to ${options.minimum}.`);
  return value;
}

function bodyDates(body: Record<string, unknown>, field: string): DateRange {
  return { gte: optionalDate(body, `${field}_gte`), lte: optionalDate(body, `${field}_lte`) };
}

// Airflow's TaskState enum, which the batch form's state items must be.
const TASK_STATES = new Set(["success", "running", "failed", "upstream_failed", "skipped", "up_for_retry", "up_for_reschedule", "queued", "none", "scheduled", "deferred", "removed", "restarting"]);

function bodyStates(body: Record<string, unknown>): string[] {
  const value = body.state;
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fieldError("state", "Not a valid list.");
  const states = value.map((s) => (s === null ? "none" : s));
  const bad = states.find((s) => typeof s !== "string" || !TASK_STATES.has(s));
  if (bad !== undefined) throw fieldError("state", `Must be one of: ${[...TASK_STATES].join(", ")}.`);
  return states as string[];
}

export async function getTaskInstancesBatch(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJsonObject(request);
  refuseUnknownFields(body, BATCH_FIELDS);
  refuseNulls(body);
  const limit = bodyNumber(body, "page_limit", { minimum: 1, integer: true });
  const offset = bodyNumber(body, "page_offset", { minimum: 0, integer: true });
  const some = (list: string[] | undefined) => (list && list.length ? list : null);
  const { items, total } = await queryTaskInstances({
    dagIds: some(optionalStringList(body, "dag_ids")),
    runIds: some(optionalStringList(body, "dag_run_ids")),
    taskIds: some(optionalStringList(body, "task_ids")),
    logicalDate: bodyDates(body, "execution_date"),
    startDate: bodyDates(body, "start_date"),
    endDate: bodyDates(body, "end_date"),
    updatedAt: {},
    durationGte: bodyNumber(body, "duration_gte"),
    durationLte: bodyNumber(body, "duration_lte"),
    states: bodyStates(body),
    pools: optionalStringList(body, "pool") ?? [],
    queues: optionalStringList(body, "queue") ?? [],
    executors: optionalStringList(body, "executor") ?? [],
  }, { limit: pageLimit(limit), offset: offset ?? 0 }, context);
  return { status: 200, jsonBody: { task_instances: items, total_entries: total } };
}

apiRoute("api_get_task_instances", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances", getTaskInstances, { durableClient: true });
apiRoute("api_get_task_instances_batch", "POST", "dags/~/dagRuns/~/taskInstances/list", getTaskInstancesBatch, { durableClient: true });
