// GET, PATCH and DELETE /api/v1/dags/{dag_id}/dagRuns/{dag_run_id}: one run; marking it success or
// failed (which ends its orchestration); deleting it with its task instances.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { getDag } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { deleteDagRun, markDagRun } from "../../runs/change-dag-run";
import { durableClientStarter } from "../../runs/orchestration-starter";
import { durableStatusSource, reconcileRuns } from "../../runs/reconcile-runs";
import { apiRoute } from "./api-route";
import { dagRunResource } from "./dag-run-resource";
import { badRequest, dagRunNotFound } from "./problem";
import { listParam, selectFields } from "./query";
import { readJsonObject, refuseUnknownFields } from "./request-body";

async function findRun(dagId: string, runId: string, context: InvocationContext) {
  const ledger = appRunLedger();
  const run = await ledger.getDagRun(dagId, runId);
  if (!run) throw dagRunNotFound(dagId, runId);
  const client = df.getClient(context);
  const [current] = await reconcileRuns({ ledger, status: durableStatusSource(client), starter: durableClientStarter(client) }, [run], new Date());
  return current.run;
}

export async function getDagRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const run = await findRun(dagId, runId, context);
  const [resource] = selectFields([await dagRunResource(run)], listParam(request.query, "fields"), "DAGRunSchema");
  return { status: 200, jsonBody: resource };
}

export async function patchDagRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const run = await findRun(dagId, runId, context);
  const body = await readJsonObject(request);
  refuseUnknownFields(body, ["state"]);
  const state = body.state;
  if (state !== "success" && state !== "failed" && state !== "queued") throw badRequest("{'state': ['Must be one of: success, failed, queued.']}");
  if (state === "queued") {
    throw badRequest("azflow does not set a run back to queued; to run its tasks again, clear them (POST /api/v1/dags/{dag_id}/clearTaskInstances).");
  }
  const dag = getDag(dagId);
  if (!dag) throw badRequest(`DAG '${dagId}' is not registered in this app; its runs cannot be changed.`);
  const marked = await markDagRun({ ledger: appRunLedger(), client: df.getClient(context) }, run, state, new Date());
  return { status: 200, jsonBody: await dagRunResource(marked) };
}

export async function deleteRun(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const run = await appRunLedger().getDagRun(dagId, runId);
  if (!run) throw dagRunNotFound(dagId, runId);
  await deleteDagRun({ ledger: appRunLedger(), client: df.getClient(context) }, run);
  return { status: 204 };
}

apiRoute("api_get_dag_run", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}", getDagRun, { durableClient: true });
apiRoute("api_patch_dag_run", "PATCH", "dags/{dag_id}/dagRuns/{dag_run_id}", patchDagRun, { durableClient: true });
apiRoute("api_delete_dag_run", "DELETE", "dags/{dag_id}/dagRuns/{dag_run_id}", deleteRun, { durableClient: true });
