// GET /api/v1/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances: a run's task instances from the
// ledger. Like Airflow, an unknown DAG or run is an empty list, not a 404.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { getDag } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiHandler } from "./problem";
import { listParam, pageOf, pageParams } from "./query";
import { taskInstanceResource } from "./task-instance-resource";

export async function getTaskInstances(request: HttpRequest): Promise<HttpResponseInit> {
  const { dag_id: dagId, dag_run_id: runId } = request.params;
  const page = pageParams(request.query);
  const states = listParam(request.query, "state");
  const ledger = appRunLedger();
  const run = await ledger.getDagRun(dagId, runId);
  if (!run) return { status: 200, jsonBody: { task_instances: [], total_entries: 0 } };
  const dag = getDag(dagId);
  // Task instances follow the DAG's task order (upstream first), then map index.
  const position = new Map((dag?.taskOrder ?? []).map((id, i) => [id, i]));
  const matching = (await ledger.listTaskInstances(dagId, runId))
    .filter((ti) => states.length === 0 || states.includes(ti.state ?? "none"))
    .sort((a, b) => (position.get(a.task_id) ?? Infinity) - (position.get(b.task_id) ?? Infinity) || a.task_id.localeCompare(b.task_id) || a.map_index - b.map_index);
  return {
    status: 200,
    jsonBody: { task_instances: pageOf(matching, page).map((ti) => taskInstanceResource(ti, run, dag)), total_entries: matching.length },
  };
}

app.http("api_get_task_instances", { route: "v1/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances", methods: ["GET"], authLevel: "function", handler: apiHandler(getTaskInstances) });
