// GET /api/v1/dags/{dag_id}/dagRuns/{dag_run_id}: one run from the ledger.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { appRunLedger } from "../../runs/app-run-ledger";
import { dagRunResource } from "./dag-run-resource";
import { apiHandler, notFound } from "./problem";

export async function getDagRun(request: HttpRequest): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const run = await appRunLedger().getDagRun(dagId, runId);
  if (!run) throw notFound("DAGRun not found", `DAGRun with DAG ID: '${dagId}' and DagRun ID: '${runId}' not found`);
  return { status: 200, jsonBody: dagRunResource(run) };
}

app.http("api_get_dag_run", { route: "v1/dags/{dag_id}/dagRuns/{dag_run_id}", methods: ["GET"], authLevel: "function", handler: apiHandler(getDagRun) });
