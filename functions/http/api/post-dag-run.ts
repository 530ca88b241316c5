// POST /api/v1/dags/{dag_id}/dagRuns: trigger a manual run (body: dag_run_id, logical_date,
// conf, note; data_interval_start/end together). 200 with the run in state queued; 404 for an
// unknown DAG; 409 when the run id or the logical date is taken; 400 for a bad body (dates must
// carry a time zone and lie in years 1-9999, as Python datetimes do); 413 for a body over the limit.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { getDag } from "../../dag-registry";
import { InstantError, parsePreciseInstant, comparePrecise } from "../../ledger/precise-instant";
import { appRunLedger } from "../../runs/app-run-ledger";
import { createDagRun, type CreateDagRunRequest } from "../../runs/create-dag-run";
import { durableClientStarter } from "../../runs/orchestration-starter";
import { DagRunRequestError } from "../../runs/run-request-error";
import { apiDate } from "./api-dates";
import { apiRoute } from "./api-route";
import { dagRunResource } from "./dag-run-resource";
import { alreadyExists, badRequest, dagNotFound } from "./problem";
import { optionalString, readJsonObject, refuseNulls, refuseUnknownFields } from "./request-body";

// The writable fields of Airflow's DAGRun schema; anything else is refused, as its schema does.
const FIELDS = ["dag_run_id", "logical_date", "execution_date", "data_interval_start", "data_interval_end", "conf", "note"];

function optionalDate(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  try {
    parsePreciseInstant(value);
  } catch (err) {
    if (err instanceof InstantError && err.naive) throw badRequest("Naive datetime is disallowed", "Invalid datetime format");
    // Marshmallow's words, as Airflow answers (the reason is in the function's log).
    throw badRequest(`{'${field}': ['Not a valid datetime.']}`);
  }
  return value;
}

/** The body as a run request; throws 400 problems. */
export function runRequestFrom(body: Record<string, unknown>): CreateDagRunRequest {
  refuseUnknownFields(body, FIELDS);
  // conf is an object in Airflow's schema, never null; the other fields may be.
  refuseNulls(body, FIELDS.filter((f) => f !== "conf"));
  const logicalDate = optionalDate(body, "logical_date");
  const executionDate = optionalDate(body, "execution_date");
  if (logicalDate !== undefined && executionDate !== undefined && comparePrecise(parsePreciseInstant(logicalDate), parsePreciseInstant(executionDate)) !== 0) {
    throw badRequest("logical_date conflicts with execution_date");
  }
  const start = optionalDate(body, "data_interval_start");
  const end = optionalDate(body, "data_interval_end");
  if ((start === undefined) !== (end === undefined)) throw badRequest("data_interval_start and data_interval_end must be given together");
  return {
    runType: "manual",
    logicalDate: logicalDate ?? executionDate,
    runId: optionalString(body, "dag_run_id"),
    conf: body.conf,
    note: optionalString(body, "note") ?? null,
    dataInterval: start !== undefined && end !== undefined ? { start, end } : undefined,
  };
}

export async function postDagRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const dagId = request.params.dag_id;
  const dag = getDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  const runRequest = runRequestFrom(await readJsonObject(request));
  const deps = { ledger: appRunLedger(), starter: durableClientStarter(df.getClient(context)), now: new Date() };
  let result;
  try {
    result = await createDagRun(deps, dag, runRequest);
  } catch (err) {
    if (err instanceof DagRunRequestError) throw badRequest(err.message);
    throw err;
  }
  if (!result.created) {
    const { existing } = result;
    throw result.conflict === "logical_date"
      ? alreadyExists(`DAGRun with DAG ID: '${dagId}' and DAGRun logical date: '${(apiDate(existing.logical_date) ?? "").replace("T", " ")}' already exists`)
      : alreadyExists(`DAGRun with DAG ID: '${dagId}' and DAGRun ID: '${existing.dag_run_id}' already exists`);
  }
  context.log(`Queued DAG run '${result.run.dag_run_id}' of '${dagId}' (instance ${result.run.instance_id})`);
  return { status: 200, jsonBody: await dagRunResource(result.run) };
}

apiRoute("api_post_dag_run", "POST", "dags/{dag_id}/dagRuns", postDagRun, { durableClient: true });
