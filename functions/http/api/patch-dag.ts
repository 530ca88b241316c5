// GET and PATCH /api/v1/dags/{dag_id}: one registered DAG; pausing or unpausing it. is_paused is
// kept in Table Storage (functions/ledger/dag-state.ts) and honoured by the schedule timers.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { getDag as findDag } from "../../dag-registry";
import { appDagStateStore } from "../../ledger/dag-state";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiRoute } from "./api-route";
import { dagResource } from "./dag-resource";
import { badRequest, dagNotFound } from "./problem";
import { listParam, selectFields } from "./query";
import { fieldError, readJsonObject } from "./request-body";

/** The body of a DAG PATCH: is_paused (the only field Airflow lets the API change), with update_mask checked. */
export async function pausedFromBody(request: HttpRequest): Promise<boolean> {
  const mask = listParam(request.query, "update_mask");
  if (mask.length && (mask.length !== 1 || mask[0] !== "is_paused")) throw badRequest("Only `is_paused` field can be updated through the REST API");
  const body = await readJsonObject(request);
  const unknown = Object.keys(body).filter((k) => k !== "is_paused");
  if (unknown.length && !mask.length) throw badRequest(`{${unknown.map((k) => `'${k}': ['Unknown field.']`).join(", ")}}`);
  const value = body.is_paused;
  if (typeof value !== "boolean") throw value === undefined || value === null ? fieldError("is_paused", "Missing data for required field.") : fieldError("is_paused", "Not a valid boolean.");
  return value;
}

export async function getDag(request: HttpRequest): Promise<HttpResponseInit> {
  const dagId = request.params.dag_id;
  const dag = findDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  const runs = await appRunLedger().listDagRuns(dagId);
  const resource = dagResource(dag, { paused: await appDagStateStore().isPaused(dagId), runs, now: new Date() });
  return { status: 200, jsonBody: selectFields([resource], listParam(request.query, "fields"), "DAGSchema")[0] };
}

export async function patchDag(request: HttpRequest): Promise<HttpResponseInit> {
  const dagId = request.params.dag_id;
  const isPaused = await pausedFromBody(request);
  const dag = findDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  await appDagStateStore().setPaused(dagId, isPaused);
  const runs = await appRunLedger().listDagRuns(dagId);
  return { status: 200, jsonBody: dagResource(dag, { paused: isPaused, runs, now: new Date() }) };
}

apiRoute("api_get_dag", "GET", "dags/{dag_id}", getDag);
apiRoute("api_patch_dag", "PATCH", "dags/{dag_id}", patchDag);
