// GET /api/v1/dags/{dag_id}: one registered DAG.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { appConfig } from "../../config";
import { getDag as findDag } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { dagResource } from "./dag-resource";
import { apiHandler, dagNotFound } from "./problem";

export async function getDag(request: HttpRequest): Promise<HttpResponseInit> {
  const dagId = request.params.dag_id;
  const dag = findDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  const runs = await appRunLedger().listDagRuns(dagId);
  return { status: 200, jsonBody: dagResource(dag, { paused: appConfig().pausedDags.includes(dagId), runs, now: new Date() }) };
}

app.http("api_get_dag", { route: "v1/dags/{dag_id}", methods: ["GET"], authLevel: "function", handler: apiHandler(getDag) });
