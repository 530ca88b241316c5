// GET /api/v1/dags and PATCH /api/v1/dags: the registered DAGs filtered and paged as Airflow's list
// endpoint does (dag_id_pattern is an ILIKE pattern), and pausing or unpausing the DAGs a pattern
// matches (`~` for all).
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import { listDags } from "../../dag-registry";
import { appDagStateStore } from "../../ledger/dag-state";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiRoute } from "./api-route";
import { dagResource } from "./dag-resource";
import { pausedFromBody } from "./patch-dag";
import { badRequest } from "./problem";
import { boolParam, compareText, ilikeMatcher, listParam, orderParam, pageOf, pageParams, selectFields, type Comparator } from "./query";

const DAG_ORDERINGS: ReadonlyMap<string, Comparator<CompiledDag>> = new Map<string, Comparator<CompiledDag>>([
  ["dag_id", (a, b) => compareText(a.dagId, b.dagId)],
  ["dag_display_name", (a, b) => compareText(a.dagId, b.dagId)],
]);

/** DAGs matching Airflow's list filters (only_active is always met: every registered DAG is active). */
function matchingDags(query: URLSearchParams, paused: Map<string, boolean>, pattern: string | null): CompiledDag[] {
  const wantPaused = boolParam(query, "paused");
  boolParam(query, "only_active");
  const tags = listParam(query, "tags");
  const matches = pattern ? ilikeMatcher(`%${pattern}%`) : () => true;
  return listDags()
    .filter((d) => wantPaused === undefined || paused.get(d.dagId) === wantPaused)
    .filter((d) => tags.length === 0 || d.tags.some((t) => tags.includes(t)))
    .filter((d) => matches(d.dagId));
}

async function resources(dags: CompiledDag[], paused: Map<string, boolean>) {
  const now = new Date();
  const ledger = appRunLedger();
  return Promise.all(dags.map(async (dag) => dagResource(dag, { paused: paused.get(dag.dagId) ?? false, runs: await ledger.listDagRuns(dag.dagId), now })));
}

export async function getDags(request: HttpRequest): Promise<HttpResponseInit> {
  const query = request.query;
  const page = pageParams(query);
  const order = orderParam(query, DAG_ORDERINGS, "dag_id");
  const fields = listParam(query, "fields");
  const paused = await appDagStateStore().pausedStates(listDags().map((d) => d.dagId));
  const matching = matchingDags(query, paused, query.get("dag_id_pattern")).sort(order);
  const dags = selectFields(await resources(pageOf(matching, page), paused), fields, "DAGSchema");
  return { status: 200, jsonBody: { dags, total_entries: matching.length } };
}

export async function patchDags(request: HttpRequest): Promise<HttpResponseInit> {
  const query = request.query;
  const rawPattern = query.get("dag_id_pattern");
  if (rawPattern === null) throw badRequest("Missing query parameter 'dag_id_pattern'");
  const isPaused = await pausedFromBody(request);
  const page = pageParams(query);
  const store = appDagStateStore();
  const before = await store.pausedStates(listDags().map((d) => d.dagId));
  const matching = matchingDags(query, before, rawPattern === "~" ? "" : rawPattern).sort(DAG_ORDERINGS.get("dag_id"));
  const changed = pageOf(matching, page);
  for (const dag of changed) await store.setPaused(dag.dagId, isPaused);
  const after = new Map(before);
  for (const dag of changed) after.set(dag.dagId, isPaused);
  return { status: 200, jsonBody: { dags: await resources(changed, after), total_entries: matching.length } };
}

apiRoute("api_get_dags", "GET", "dags", getDags);
apiRoute("api_patch_dags", "PATCH", "dags", patchDags);
