// GET .../taskInstances/{task_id}/xcomEntries ("~" for every DAG, run or task) and
// .../xcomEntries/{xcom_key}: a task's result is its "return_value" XCom, as in Airflow. Values
// kept in blob storage (large results) are read back for the single entry.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { pythonStr } from "../../../orchestrations/runtime/templates/template-values";
import { loadXCom } from "../../activities/xcom-store";
import type { DagRunRecord, TaskInstanceRecord } from "../../ledger/records";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiDate } from "./api-dates";
import { apiRoute } from "./api-route";
import { readRuns } from "./dag-run-query";
import { badRequest, notFound } from "./problem";
import { boolParam, pageOf, pageParams } from "./query";

const RETURN_VALUE = "return_value";

function intQuery(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`Wrong type, expected 'integer' for query parameter '${name}'`);
  return Number(raw);
}

interface Entry {
  ti: TaskInstanceRecord;
  run: DagRunRecord;
}

async function entries(request: HttpRequest, context: InvocationContext, defaultMapIndex?: number): Promise<Entry[]> {
  const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
  const mapIndex = intQuery(request.query, "map_index") ?? defaultMapIndex;
  const key = request.query.get("xcom_key");
  if (key !== null && key !== "" && key !== RETURN_VALUE) return [];
  const runs = (await readRuns(dagId === "~" ? null : [dagId], context)).filter((r) => runId === "~" || r.dag_run_id === runId);
  const ledger = appRunLedger();
  const out: Entry[] = [];
  for (const run of runs) {
    for (const ti of await ledger.listTaskInstances(run.dag_id, run.dag_run_id)) {
      if ((taskId === "~" || ti.task_id === taskId) && (mapIndex === undefined || ti.map_index === mapIndex) && ti.state === "success" && ti.xcom !== null) {
        out.push({ ti, run });
      }
    }
  }
  return out;
}

function item({ ti, run }: Entry) {
  return {
    key: RETURN_VALUE,
    timestamp: apiDate(ti.end_date),
    execution_date: apiDate(run.logical_date),
    map_index: ti.map_index,
    task_id: ti.task_id,
    dag_id: ti.dag_id,
    run_id: ti.dag_run_id,
  };
}

export async function getXComEntries(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const page = pageParams(request.query);
  const all = await entries(request, context);
  return { status: 200, jsonBody: { xcom_entries: pageOf(all, page).map(item), total_entries: all.length } };
}

export async function getXComEntry(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { xcom_key: key } = request.params;
  const stringify = boolParam(request.query, "stringify") ?? true;
  boolParam(request.query, "deserialize");
  const found = key === RETURN_VALUE ? (await entries(request, context, -1))[0] : undefined;
  if (!found) throw notFound("XCom entry not found", `XCom entry with key: '${key}' not found`);
  const value = await loadXCom(JSON.parse(found.ti.xcom!) as unknown);
  // Airflow's default: the value as Python's str() prints it.
  return { status: 200, jsonBody: { ...item(found), value: stringify ? pythonStr(value) : value } };
}

apiRoute("api_get_xcom_entries", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries", getXComEntries, { durableClient: true });
apiRoute("api_get_xcom_entry", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/xcomEntries/{xcom_key}", getXComEntry, { durableClient: true });
