// POST /api/v1/dags/{dag_id}/clearTaskInstances: Airflow's clear. dry_run (the default) lists what
// would be cleared; otherwise the instances are cleared and their runs run them again (see
// functions/runs/clear-task-instances.ts). A run whose orchestration still runs is a 409.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { getDag } from "../../dag-registry";
import { appRunLedger } from "../../runs/app-run-ledger";
import { clearAndRerun, ClearConflictError, selectClear, type ClearSelection } from "../../runs/clear-task-instances";
import { durableClientStarter } from "../../runs/orchestration-starter";
import { durableStatusSource } from "../../runs/reconcile-runs";
import { apiDate } from "./api-dates";
import { apiRoute } from "./api-route";
import { readRuns } from "./dag-run-query";
import { alreadyExists, badRequest, notFound } from "./problem";
import { optionalBoolean, optionalDate, optionalString, optionalStringList, readJsonObject, refuseNulls, refuseUnknownFields } from "./request-body";

const FIELDS = [
  "dry_run", "task_ids", "start_date", "end_date", "only_failed", "only_running", "include_subdags", "include_parentdag", "reset_dag_runs",
  "dag_run_id", "include_upstream", "include_downstream", "include_future", "include_past",
];

export async function postClearTaskInstances(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const body = await readJsonObject(request);
  refuseUnknownFields(body, FIELDS);
  refuseNulls(body, ["dag_run_id"]);
  const taskIds = optionalStringList(body, "task_ids");
  if (taskIds && taskIds.length === 0) throw badRequest("{'task_ids': ['Shorter than minimum length 1.']}");
  const dryRun = optionalBoolean(body, "dry_run") ?? true;
  for (const flag of ["include_subdags", "include_parentdag", "reset_dag_runs"]) optionalBoolean(body, flag);
  const selection: ClearSelection = {
    dagRunId: optionalString(body, "dag_run_id"),
    taskIds,
    onlyFailed: optionalBoolean(body, "only_failed") ?? true,
    onlyRunning: optionalBoolean(body, "only_running") ?? false,
    includeUpstream: optionalBoolean(body, "include_upstream") ?? false,
    includeDownstream: optionalBoolean(body, "include_downstream") ?? false,
    includePast: optionalBoolean(body, "include_past") ?? false,
    includeFuture: optionalBoolean(body, "include_future") ?? false,
    startDate: optionalDate(body, "start_date"),
    endDate: optionalDate(body, "end_date"),
  };
  const dagId = request.params.dag_id;
  const dag = getDag(dagId);
  if (!dag) throw notFound("DAG not found", `Dag id ${dagId} not found`);
  const runs = await readRuns([dagId], context);
  if (selection.dagRunId !== undefined && !runs.some((r) => r.dag_run_id === selection.dagRunId)) {
    throw notFound("DAGRun not found", `Dag Run id ${selection.dagRunId} not found in dag ${dagId}`);
  }
  const ledger = appRunLedger();
  const cleared = await selectClear(ledger, dag, runs, selection);
  if (!dryRun && cleared.length) {
    const client = df.getClient(context);
    try {
      await clearAndRerun({ ledger, status: durableStatusSource(client), starter: durableClientStarter(client) }, dag, cleared);
    } catch (err) {
      if (err instanceof ClearConflictError) throw alreadyExists(err.message);
      throw err;
    }
  }
  return {
    status: 200,
    jsonBody: {
      task_instances: cleared.map(({ ti, run }) => ({ task_id: ti.task_id, dag_id: ti.dag_id, execution_date: apiDate(run.logical_date), dag_run_id: ti.dag_run_id })),
    },
  };
}

apiRoute("api_post_clear_task_instances", "POST", "dags/{dag_id}/clearTaskInstances", postClearTaskInstances, { durableClient: true });
