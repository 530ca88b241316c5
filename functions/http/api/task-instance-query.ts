// Listing task instances as Airflow's GET .../taskInstances and POST ~/dagRuns/~/taskInstances/list
// do: "~" for every DAG or run, and every filter of Airflow 2.10's spec (run logical date, start,
// end and update time, duration, state including "none", pool, queue, executor).
import type { InvocationContext } from "@azure/functions";
import { getDag } from "../../dag-registry";
import type { DagRunRecord, TaskInstanceRecord } from "../../ledger/records";
import { appRunLedger } from "../../runs/app-run-ledger";
import { readRuns } from "./dag-run-query";
import { inDateRange, inNumberRange, type DateRange, type Page } from "./query";
import { taskInstanceResource, type TaskInstanceResource } from "./task-instance-resource";

export interface TaskInstanceFilter {
  /** null: every DAG ("~"). */
  dagIds: readonly string[] | null;
  /** null: every run ("~"). */
  runIds: readonly string[] | null;
  taskIds: readonly string[] | null;
  logicalDate: DateRange;
  startDate: DateRange;
  endDate: DateRange;
  updatedAt: DateRange;
  durationGte?: number;
  durationLte?: number;
  states: readonly string[];
  pools: readonly string[];
  queues: readonly string[];
  executors: readonly string[];
}

/** What every azflow task instance reports for Airflow's worker fields. */
export const TI_POOL = "default_pool";
export const TI_QUEUE = "default";

async function candidateInstances(filter: TaskInstanceFilter, runs: Map<string, DagRunRecord>): Promise<TaskInstanceRecord[]> {
  const ledger = appRunLedger();
  if (filter.dagIds && filter.runIds) {
    const pairs = filter.dagIds.flatMap((d) => filter.runIds!.map((r) => [d, r] as const));
    return (await Promise.all(pairs.map(([d, r]) => ledger.listTaskInstances(d, r)))).flat();
  }
  if (filter.dagIds) return (await Promise.all(filter.dagIds.map((d) => ledger.listDagTaskInstances(d)))).flat();
  const all = await ledger.listAllTaskInstances();
  return filter.runIds ? all.filter((ti) => filter.runIds!.includes(ti.dag_run_id)) : all.filter((ti) => runs.has(`${ti.dag_id}\u0000${ti.dag_run_id}`));
}

function position(dagId: string): Map<string, number> {
  return new Map((getDag(dagId)?.taskOrder ?? []).map((id, i) => [id, i]));
}

export async function queryTaskInstances(filter: TaskInstanceFilter, page: Page, context: InvocationContext): Promise<{ items: TaskInstanceResource[]; total: number }> {
  const runList = await readRuns(filter.dagIds, context);
  const runs = new Map(runList.map((r) => [`${r.dag_id}\u0000${r.dag_run_id}`, r]));
  const states = filter.states.map((s) => (s === "none" ? null : s));
  const matching = (await candidateInstances(filter, runs))
    .filter((ti) => runs.has(`${ti.dag_id}\u0000${ti.dag_run_id}`))
    .filter((ti) => !filter.taskIds || filter.taskIds.includes(ti.task_id))
    .filter((ti) => states.length === 0 || states.includes(ti.state))
    .filter(() => filter.pools.length === 0 || filter.pools.includes(TI_POOL))
    .filter(() => filter.queues.length === 0 || filter.queues.includes(TI_QUEUE))
    // No azflow task has an executor (Airflow's column is null), so an executor filter matches none.
    .filter(() => filter.executors.length === 0)
    .filter((ti) => inDateRange(runs.get(`${ti.dag_id}\u0000${ti.dag_run_id}`)!.logical_date, filter.logicalDate))
    .filter((ti) => inDateRange(ti.start_date, filter.startDate) && inDateRange(ti.end_date, filter.endDate) && inDateRange(ti.updated_at, filter.updatedAt))
    .filter((ti) => inNumberRange(ti.duration, filter.durationGte, filter.durationLte));
  // Runs in order of logical date, then each run's tasks upstream first, then map index.
  const positions = new Map<string, Map<string, number>>();
  const pos = (ti: TaskInstanceRecord) => {
    if (!positions.has(ti.dag_id)) positions.set(ti.dag_id, position(ti.dag_id));
    return positions.get(ti.dag_id)!.get(ti.task_id) ?? Infinity;
  };
  const runOrder = new Map(runList.map((r) => [`${r.dag_id}\u0000${r.dag_run_id}`, r.logical_date]));
  matching.sort((a, b) =>
    a.dag_id.localeCompare(b.dag_id)
    || String(runOrder.get(`${a.dag_id}\u0000${a.dag_run_id}`)).localeCompare(String(runOrder.get(`${b.dag_id}\u0000${b.dag_run_id}`)))
    || a.dag_run_id.localeCompare(b.dag_run_id)
    || pos(a) - pos(b) || a.task_id.localeCompare(b.task_id) || a.map_index - b.map_index);
  const items = matching.slice(page.offset, page.offset + page.limit)
    .map((ti) => taskInstanceResource(ti, runs.get(`${ti.dag_id}\u0000${ti.dag_run_id}`)!, getDag(ti.dag_id)));
  return { items, total: matching.length };
}
