// GET /api/v1/dagStats?dag_ids=a,b: how many runs of each DAG are in each run state.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getDag } from "../../dag-registry";
import { apiRoute } from "./api-route";
import { readRuns } from "./dag-run-query";
import { badRequest } from "./problem";

const RUN_STATES = ["queued", "running", "success", "failed"] as const;

export async function getDagStats(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const raw = request.query.get("dag_ids");
  if (raw === null) throw badRequest("Missing query parameter 'dag_ids'");
  // As Airflow: a set of the ids given, keeping only DAGs that exist.
  const dagIds = [...new Set(raw.split(","))].filter((id) => getDag(id) !== undefined);
  const runs = await readRuns(dagIds, context);
  const dags = dagIds.map((dagId) => ({
    dag_id: dagId,
    stats: RUN_STATES.map((state) => ({ state, count: runs.filter((r) => r.dag_id === dagId && r.state === state).length })),
  }));
  return { status: 200, jsonBody: { dags, total_entries: dags.length } };
}

apiRoute("api_get_dag_stats", "GET", "dagStats", getDagStats, { durableClient: true });
