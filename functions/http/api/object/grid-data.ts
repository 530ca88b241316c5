// GET /api/object/grid_data?dag_id=&num_runs=&base_date=&run_state=&run_type=: what Airflow 2.10's
// grid view reads (airflow/www/views.py grid_data), in its shape: the task-group tree with each
// task's instances per run (mapped tasks summarised by state, groups by their children's most
// important state), and the runs shown, oldest first. One request draws the whole grid, where the
// v1 lists would take one per run and page.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import type { CompiledDag } from "../../../../orchestrations/runtime/model/compiled-dag";
import { getDag } from "../../../dag-registry";
import type { DagRunRecord, TaskInstanceRecord } from "../../../ledger/records";
import { appRunLedger } from "../../../runs/app-run-ledger";
import { apiDate } from "../api-dates";
import { objectRoute } from "../api-route";
import { readRuns } from "../dag-run-query";
import { runConf } from "../dag-run-resource";
import { airflowClassOf } from "../airflow-operators";
import { badRequest, dagNotFound } from "../problem";
import { comparePrecise, storedInstant } from "../../../ledger/precise-instant";
import { compareStoredInstants, listParam, parseQueryDate } from "../query";
import { summaryState } from "./state-priority";
import { taskGroupTree, type GroupNode, type TaskLeaf } from "./task-group-tree";

/** Airflow's [webserver] default_dag_run_display_number. */
export const DEFAULT_NUM_RUNS = 25;
export const MAX_NUM_RUNS = 1000;
// Runs whose task instances are read at once (one partition query each).
const READ_CONCURRENCY = 16;

interface InstanceSummary {
  task_id: string;
  run_id: string;
  state: string | null;
  queued_dttm: string | null;
  start_date: string | null;
  end_date: string | null;
  try_number?: number;
  note?: string | null;
  mapped_states?: Record<string, number>;
}

const earliest = (values: (string | null)[]) => values.filter((v): v is string => !!v).sort(compareStoredInstants)[0] ?? null;
const latest = (values: (string | null)[]) => values.filter((v): v is string => !!v).sort(compareStoredInstants).pop() ?? null;

/** Task instances by task id, then run id. */
type InstanceIndex = Map<string, Map<string, TaskInstanceRecord[]>>;

function taskInstances(leaf: TaskLeaf, runs: readonly DagRunRecord[], byTask: InstanceIndex): InstanceSummary[] {
  const rows = byTask.get(leaf.task.taskId);
  const out: InstanceSummary[] = [];
  for (const run of runs) {
    const mine = rows?.get(run.dag_run_id);
    if (!mine?.length) continue;
    if (leaf.task.mapping === null) {
      const ti = mine[0];
      out.push({
        task_id: ti.task_id, run_id: run.dag_run_id, state: ti.state, queued_dttm: null, start_date: apiDate(ti.start_date),
        end_date: apiDate(ti.end_date), try_number: ti.try_number, note: ti.note ?? null,
      });
      continue;
    }
    // Expanded instances replace the unexpanded row; until then that row stands for the task.
    const instances = mine.some((r) => r.map_index >= 0) ? mine.filter((r) => r.map_index >= 0) : mine;
    const mapped: Record<string, number> = {};
    for (const ti of instances) mapped[ti.state ?? "no_status"] = (mapped[ti.state ?? "no_status"] ?? 0) + 1;
    out.push({
      task_id: leaf.task.taskId, run_id: run.dag_run_id, state: summaryState(instances.map((t) => t.state)), queued_dttm: null,
      start_date: apiDate(earliest(instances.map((t) => t.start_date))), end_date: apiDate(latest(instances.map((t) => t.end_date))), mapped_states: mapped,
    });
  }
  return out;
}

type GridNode = Record<string, unknown> & { instances: InstanceSummary[] };

function toGrid(node: GroupNode | TaskLeaf, runs: readonly DagRunRecord[], byTask: InstanceIndex): GridNode {
  if (node.kind === "task") {
    const t = node.task;
    return {
      id: t.taskId, instances: taskInstances(node, runs, byTask), label: node.label, extra_links: [], is_mapped: t.mapping !== null,
      has_outlet_datasets: false, operator: airflowClassOf(t.operator, t).class_name, trigger_rule: t.triggerRule,
      ...(t.isSetup ? { setupTeardownType: "setup" } : {}),
    };
  }
  const children = node.children.map((c) => toGrid(c, runs, byTask));
  if (node.groupId === null) return { id: null, label: null, children, instances: [] };
  const instances: InstanceSummary[] = [];
  for (const run of runs) {
    const mine = children.flatMap((c) => c.instances.filter((i) => i.run_id === run.dag_run_id));
    if (!mine.length) continue;
    instances.push({
      task_id: node.groupId, run_id: run.dag_run_id, state: summaryState(mine.map((i) => i.state)), queued_dttm: null,
      start_date: earliest(mine.map((i) => i.start_date)), end_date: latest(mine.map((i) => i.end_date)),
    });
  }
  return { id: node.groupId, label: node.label, children, tooltip: "", instances };
}

async function encodeRun(run: DagRunRecord) {
  const conf = await runConf(run);
  return {
    run_id: run.dag_run_id, queued_at: apiDate(run.queued_at), start_date: apiDate(run.start_date), end_date: apiDate(run.end_date), state: run.state,
    execution_date: apiDate(run.logical_date), data_interval_start: apiDate(run.data_interval_start), data_interval_end: apiDate(run.data_interval_end),
    run_type: run.run_type, last_scheduling_decision: null, external_trigger: run.external_trigger,
    // As Airflow's encode_dag_run: the conf as sorted JSON text.
    conf: JSON.stringify(conf, Object.keys(conf).sort()), conf_is_json: true, note: run.note,
  };
}

/** Airflow's run_ordering for timetables: by data_interval_end, then logical date. */
function byRunOrdering(a: DagRunRecord, b: DagRunRecord): number {
  return compareStoredInstants(a.data_interval_end ?? a.logical_date, b.data_interval_end ?? b.logical_date)
    || compareStoredInstants(a.logical_date, b.logical_date) || a.dag_run_id.localeCompare(b.dag_run_id);
}

// A finished run's task instances change only when its own row does (a clear reopens the run;
// marking it writes the run with them), so each API instance keeps them once read, keyed by the
// run row's state, end and update time. A run is kept only once its row has been still for
// SETTLE_MS: its orchestration writes the run's end just before the last rows of that batch.
const SETTLE_MS = 30_000;
const MAX_KEPT_ROWS = 100_000;
const kept = new Map<string, { stamp: string; rows: TaskInstanceRecord[] }>();
let keptRows = 0;

function keepKey(run: DagRunRecord): string {
  return `${run.dag_id}\u0000${run.dag_run_id}`;
}

function keepStamp(run: DagRunRecord, now: number): string | null {
  if (run.state !== "success" && run.state !== "failed") return null;
  const updated = run.updated_at ? Date.parse(run.updated_at) : NaN;
  return Number.isFinite(updated) && now - updated >= SETTLE_MS ? `${run.state}|${run.end_date}|${run.updated_at}` : null;
}

function keep(run: DagRunRecord, stamp: string, rows: TaskInstanceRecord[]): void {
  const key = keepKey(run);
  keptRows -= kept.get(key)?.rows.length ?? 0;
  kept.delete(key);
  kept.set(key, { stamp, rows });
  keptRows += rows.length;
  // Oldest first out (a Map iterates in insertion order; a hit re-inserts).
  for (const [k, v] of kept) {
    if (keptRows <= MAX_KEPT_ROWS) break;
    kept.delete(k);
    keptRows -= v.rows.length;
  }
}

/**
 * The task instances of these runs: kept rows of finished runs, then the rest read from the
 * ledger, by a scan of the DAG's rows when most of its runs are missing, else one query per run.
 */
async function instancesOf(dag: CompiledDag, shown: readonly DagRunRecord[], allRuns: number): Promise<TaskInstanceRecord[]> {
  const ledger = appRunLedger();
  const now = Date.now();
  const out: TaskInstanceRecord[] = [];
  const missing: DagRunRecord[] = [];
  for (const run of shown) {
    const hit = kept.get(keepKey(run));
    const stamp = keepStamp(run, now);
    if (hit && stamp !== null && hit.stamp === stamp) {
      keep(run, stamp, hit.rows);
      out.push(...hit.rows);
    } else missing.push(run);
  }
  if (!missing.length) return out;
  let read: TaskInstanceRecord[];
  if (missing.length * 2 >= allRuns) {
    const ids = new Set(missing.map((r) => r.dag_run_id));
    read = (await ledger.listDagTaskInstances(dag.dagId)).filter((ti) => ids.has(ti.dag_run_id));
  } else {
    const lists: TaskInstanceRecord[][] = new Array(missing.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(READ_CONCURRENCY, missing.length) }, async () => {
      while (next < missing.length) {
        const i = next++;
        lists[i] = await ledger.listTaskInstances(dag.dagId, missing[i].dag_run_id);
      }
    }));
    read = lists.flat();
  }
  const byRun = new Map<string, TaskInstanceRecord[]>();
  for (const ti of read) {
    const list = byRun.get(ti.dag_run_id);
    if (list) list.push(ti);
    else byRun.set(ti.dag_run_id, [ti]);
  }
  for (const run of missing) {
    const stamp = keepStamp(run, now);
    if (stamp !== null) keep(run, stamp, byRun.get(run.dag_run_id) ?? []);
  }
  return out.concat(read);
}

function numRuns(query: URLSearchParams): number {
  const raw = query.get("num_runs");
  if (raw === null || raw === "") return DEFAULT_NUM_RUNS;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw badRequest(`num_runs must be a positive integer, got '${raw}'`);
  return Math.min(Number(raw), MAX_NUM_RUNS);
}

export async function getGridData(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const query = request.query;
  const dagId = query.get("dag_id") ?? "";
  if (!dagId) throw badRequest("Missing query parameter 'dag_id'");
  const dag = getDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  const limit = numRuns(query);
  const baseDate = query.get("base_date") ? parseQueryDate(query.get("base_date")!, "base_date") : undefined;
  const runTypes = listParam(query, "run_type");
  const runStates = listParam(query, "run_state");
  const all = await readRuns([dagId], context);
  const matching = all
    .filter((r) => !baseDate || comparePrecise(storedInstant(r.logical_date)!, baseDate) <= 0)
    .filter((r) => !runTypes.length || runTypes.includes(r.run_type))
    .filter((r) => !runStates.length || runStates.includes(r.state))
    .sort(byRunOrdering);
  const shown = matching.slice(-limit);
  const rows = await instancesOf(dag, shown, all.length);
  const byTask: InstanceIndex = new Map();
  for (const ti of rows) {
    const runs = byTask.get(ti.task_id) ?? new Map<string, TaskInstanceRecord[]>();
    byTask.set(ti.task_id, runs);
    runs.set(ti.dag_run_id, [...(runs.get(ti.dag_run_id) ?? []), ti]);
  }
  return {
    status: 200,
    jsonBody: {
      groups: toGrid(taskGroupTree(dag), shown, byTask),
      dag_runs: await Promise.all(shown.map(encodeRun)),
      ordering: ["data_interval_end", "execution_date"],
      errors: [],
    },
  };
}

objectRoute("object_grid_data", "grid_data", getGridData);
