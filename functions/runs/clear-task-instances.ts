// Airflow's clear: the selected task instances go back to state none and run again in their own
// run. azflow does it with its rerun mechanism: the run's orchestration starts again under the same
// instance id, with the results of the tasks not cleared reused (DagRunInput.reuse), so only the
// cleared tasks (and tasks that did not succeed) run. A run whose orchestration still runs is
// refused: clearing under a live orchestration would race it.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { comparePrecise, storedInstant, type PreciseInstant } from "../ledger/precise-instant";
import type { DagRunRecord, TaskInstanceRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import { dagRunInput } from "./create-dag-run";
import type { OrchestrationStarter } from "./orchestration-starter";
import type { OrchestrationStatusSource } from "./reconcile-runs";
import { planRerun } from "./rerun-plan";
import { placeholderTaskInstances } from "./task-instance-rows";

export interface ClearSelection {
  /** Only this run (its logical date bounds the range, as in Airflow). */
  dagRunId?: string;
  taskIds?: readonly string[];
  includeUpstream: boolean;
  includeDownstream: boolean;
  includePast: boolean;
  includeFuture: boolean;
  startDate?: PreciseInstant;
  endDate?: PreciseInstant;
  onlyFailed: boolean;
  onlyRunning: boolean;
}

export interface ClearedInstance {
  ti: TaskInstanceRecord;
  run: DagRunRecord;
}

/** A run that cannot be cleared now (its orchestration still runs). */
export class ClearConflictError extends Error {
  override name = "ClearConflictError";
}

function closure(dag: CompiledDag, start: readonly string[], direction: "upstream" | "downstream"): Set<string> {
  const seen = new Set<string>();
  const stack = [...start];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id) || !Object.hasOwn(dag.tasks, id)) continue;
    seen.add(id);
    stack.push(...dag.tasks[id][direction]);
  }
  return seen;
}

/** The task ids a selection covers: the given ones (with up/downstream), or every task. */
export function selectedTasks(dag: CompiledDag, sel: ClearSelection): Set<string> {
  if (!sel.taskIds) return new Set(dag.taskOrder);
  const ids = new Set(sel.taskIds.filter((id) => Object.hasOwn(dag.tasks, id)));
  if (sel.includeUpstream) for (const id of closure(dag, [...ids], "upstream")) ids.add(id);
  if (sel.includeDownstream) for (const id of closure(dag, [...ids], "downstream")) ids.add(id);
  return ids;
}

const FAILED = new Set(["failed", "upstream_failed"]);

/** What a clear would touch, in run order: Airflow's dag.clear(dry_run=True). */
export async function selectClear(ledger: RunLedger, dag: CompiledDag, runs: readonly DagRunRecord[], sel: ClearSelection): Promise<ClearedInstance[]> {
  let start = sel.startDate;
  let end = sel.endDate;
  if (sel.dagRunId !== undefined) {
    const run = runs.find((r) => r.dag_run_id === sel.dagRunId);
    start = end = run ? storedInstant(run.logical_date) ?? undefined : undefined;
  }
  if (sel.includePast) start = undefined;
  if (sel.includeFuture) end = undefined;
  const inRange = (run: DagRunRecord) => {
    const at = storedInstant(run.logical_date);
    return at !== null && (!start || comparePrecise(at, start) >= 0) && (!end || comparePrecise(at, end) <= 0);
  };
  const tasks = selectedTasks(dag, sel);
  const chosen = [...runs].filter(inRange).sort((a, b) => comparePrecise(storedInstant(a.logical_date)!, storedInstant(b.logical_date)!));
  const out: ClearedInstance[] = [];
  for (const run of chosen) {
    for (const ti of await ledger.listTaskInstances(dag.dagId, run.dag_run_id)) {
      if (!tasks.has(ti.task_id)) continue;
      if (sel.onlyFailed && !FAILED.has(ti.state ?? "")) continue;
      if (sel.onlyRunning && ti.state !== "running") continue;
      out.push({ ti, run });
    }
  }
  const order = new Map(dag.taskOrder.map((id, i) => [id, i]));
  return out.sort((a, b) => chosen.indexOf(a.run) - chosen.indexOf(b.run) || (order.get(a.ti.task_id)! - order.get(b.ti.task_id)!) || a.ti.map_index - b.ti.map_index);
}

export interface ClearDeps {
  ledger: RunLedger;
  status: OrchestrationStatusSource;
  starter: OrchestrationStarter;
}

const LIVE = new Set(["Running", "Pending", "ContinuedAsNew", "Suspended"]);

/** Clears the instances and starts each affected run again; refuses (before changing anything) if any run's orchestration still runs. */
export async function clearAndRerun(deps: ClearDeps, dag: CompiledDag, cleared: readonly ClearedInstance[]): Promise<void> {
  const runs = [...new Map(cleared.map((c) => [c.run.dag_run_id, c.run])).values()];
  for (const run of runs) {
    const status = await deps.status.status(run.instance_id);
    if (status && LIVE.has(status.runtimeStatus)) {
      throw new ClearConflictError(`The run '${run.dag_run_id}' is still running (its orchestration is ${status.runtimeStatus}); wait until it ends, or mark it failed first, then clear its task instances.`);
    }
  }
  for (const run of runs) {
    const taskIds = new Set(cleared.filter((c) => c.run === run).map((c) => c.ti.task_id));
    const instances = await deps.ledger.listTaskInstances(dag.dagId, run.dag_run_id);
    const plan = planRerun(dag, instances, taskIds);
    // Tasks that run again start from state none (a mapped task may expand differently now).
    await deps.ledger.deleteTaskInstances(dag.dagId, run.dag_run_id, plan.rerun);
    const rerun = new Set(plan.rerun);
    await deps.ledger.mergeTaskInstances(dag.dagId, run.dag_run_id, placeholderTaskInstances(dag).filter((p) => rerun.has(p.task_id)));
    // The run is its orchestration's again: ended_by cleared so its ledger writes count.
    await deps.ledger.reopenDagRun(dag.dagId, run.dag_run_id);
    await deps.starter.restart(dag.dagId, run.instance_id, { ...dagRunInput(run), reuse: plan.reuse });
  }
}
