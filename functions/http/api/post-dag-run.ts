// POST /api/v1/dags/{dag_id}/dagRuns: trigger a manual run (body: dag_run_id, logical_date,
// conf, note; data_interval_start/end together). 200 with the run in state queued; 404 for an
// unknown DAG; 409 when the run id or the logical date is taken; 400 for a bad body.
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { parseInstant } from "../../../orchestrations/runtime/time/time";
import { getDag } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { createDagRun, type CreateDagRunRequest } from "../../runs/create-dag-run";
import { durableClientStarter } from "../../runs/orchestration-starter";
import { DagRunRequestError } from "../../runs/run-request-error";
import { apiDate } from "./api-dates";
import { dagRunResource } from "./dag-run-resource";
import { alreadyExists, apiHandler, badRequest, dagNotFound } from "./problem";

// The writable fields of Airflow's DAGRun schema; anything else is refused, as its schema does.
const FIELDS = ["dag_run_id", "logical_date", "execution_date", "data_interval_start", "data_interval_end", "conf", "note"];

/** Marshmallow's error text, which Airflow puts in `detail`: {'field': ['message']}. */
const fieldError = (field: string, message: string) => badRequest(`{'${field}': ['${message}']}`);

async function jsonBody(request: HttpRequest): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === "") throw badRequest("RequestBody is required");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest(`${text.trim()} is not of type 'object'`);
  return body as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw fieldError(field, "Not a valid string.");
  return value;
}

function optionalDate(body: Record<string, unknown>, field: string): string | undefined {
  const value = optionalString(body, field);
  if (value === undefined) return undefined;
  try {
    parseInstant(value);
  } catch {
    throw fieldError(field, "Not a valid datetime.");
  }
  return value;
}

/** The body as a run request; throws 400 problems. */
export function runRequestFrom(body: Record<string, unknown>): CreateDagRunRequest {
  const unknown = Object.keys(body).filter((k) => !FIELDS.includes(k));
  if (unknown.length) throw badRequest(`{${unknown.map((k) => `'${k}': ['Unknown field.']`).join(", ")}}`);
  const logicalDate = optionalDate(body, "logical_date");
  const executionDate = optionalDate(body, "execution_date");
  if (logicalDate !== undefined && executionDate !== undefined && parseInstant(logicalDate) !== parseInstant(executionDate)) {
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
  const runRequest = runRequestFrom(await jsonBody(request));
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
  return { status: 200, jsonBody: dagRunResource(result.run) };
}

app.http("api_post_dag_run", {
  route: "v1/dags/{dag_id}/dagRuns",
  methods: ["POST"],
  authLevel: "function",
  extraInputs: [df.input.durableClient()],
  handler: apiHandler(postDagRun),
});
