// GET /api/v1/dags: the registered DAGs, filtered and paged as Airflow's list endpoint does.
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import { appConfig } from "../../config";
import { listDags } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { dagResource } from "./dag-resource";
import { apiHandler } from "./problem";
import { boolParam, compareText, listParam, orderParam, pageOf, pageParams } from "./query";

export async function getDags(request: HttpRequest): Promise<HttpResponseInit> {
  const query = request.query;
  const page = pageParams(query);
  const order = orderParam<CompiledDag>(query, { dag_id: (a, b) => compareText(a.dagId, b.dagId), dag_display_name: (a, b) => compareText(a.dagId, b.dagId) }, "dag_id");
  const paused = new Set(appConfig().pausedDags);
  const wantPaused = boolParam(query, "paused");
  const tags = listParam(query, "tags");
  const pattern = (query.get("dag_id_pattern") ?? "").toLowerCase();
  const matching = listDags()
    .filter((d) => wantPaused === undefined || paused.has(d.dagId) === wantPaused)
    .filter((d) => tags.length === 0 || d.tags.some((t) => tags.includes(t)))
    .filter((d) => d.dagId.toLowerCase().includes(pattern))
    .sort(order);
  const now = new Date();
  const ledger = appRunLedger();
  const dags = await Promise.all(
    pageOf(matching, page).map(async (dag) => dagResource(dag, { paused: paused.has(dag.dagId), runs: await ledger.listDagRuns(dag.dagId), now })),
  );
  return { status: 200, jsonBody: { dags, total_entries: matching.length } };
}

app.http("api_get_dags", { route: "v1/dags", methods: ["GET"], authLevel: "function", handler: apiHandler(getDags) });
