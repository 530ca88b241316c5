import type { CompiledDag } from "../model/compiled-dag";
import {
  DagRunState, FAILED_STATES, FINISHED_STATES, instanceStates, SUCCESS_STATES, TaskStateOrNone, TaskStates, singleState,
} from "./states";
import { emptyCounts, evaluateTriggerRule, TriggerDecision, UpstreamCounts } from "./trigger-rules";

// The scheduling core the generic orchestrator calls after every change of task state. It is the
// part of Airflow's scheduler loop that decides which task instances may start and which the
// scheduler itself marks skipped / upstream_failed, run to a fixpoint so a cascade through many
// levels is complete in one call. Tasks start as soon as their own upstreams allow, not in waves.

/** Counts over the direct upstream instances of a task (every map index of a mapped upstream). */
export function upstreamCounts(dag: CompiledDag, taskId: string, states: TaskStates): UpstreamCounts {
  const counts = emptyCounts();
  for (const upId of dag.tasks[taskId].upstream) {
    const isSetup = dag.tasks[upId].isSetup;
    if (isSetup) counts.setupUpstream += 1;
    let setupSucceeded = false;
    let setupAllSkipped = true;
    for (const state of instanceStates(states, upId)) {
      counts.upstream += 1;
      if (state === "success") counts.success += 1;
      else if (state === "failed") counts.failed += 1;
      else if (state === "skipped") counts.skipped += 1;
      else if (state === "upstream_failed") counts.upstreamFailed += 1;
      else if (state === "removed") counts.removed += 1;
      if (state === "success") setupSucceeded = true;
      if (state !== "skipped") setupAllSkipped = false;
    }
    if (isSetup && setupSucceeded) counts.setupSuccess += 1;
    if (isSetup && setupAllSkipped) counts.setupSkipped += 1;
  }
  return counts;
}

export function evaluateTask(dag: CompiledDag, taskId: string, states: TaskStates, counts?: (taskId: string) => UpstreamCounts): TriggerDecision {
  return evaluateTriggerRule(dag.tasks[taskId].triggerRule, counts ? counts(taskId) : upstreamCounts(dag, taskId, states));
}

export interface StepOptions {
  /**
   * The previous run's task states, for depends_on_past. Undefined or null: there is no previous
   * run (the first run), so depends_on_past passes.
   */
  previousRun?: TaskStates | null;
  /** Tallied upstream counts (UpstreamTally); computed from the states when absent. */
  counts?: (taskId: string) => UpstreamCounts;
  /** Told about every state this step sets (skipped, upstream_failed), to keep a tally current. */
  onDecided?: (taskId: string, state: TaskStateOrNone) => void;
}

export interface StepResult {
  /** Tasks with no state whose dependencies are met: start them now (expand mapped ones first). */
  runnable: string[];
  /** Tasks this step marked SKIPPED (the whole cascade). */
  skipped: string[];
  /** Tasks this step marked UPSTREAM_FAILED (the whole cascade). */
  upstreamFailed: string[];
  /** Tasks whose trigger rule passed but whose previous run's instance is not success/skipped. */
  waitingOnPast: string[];
  /** The input states with the new skipped / upstream_failed states applied. */
  states: TaskStates;
  runState: DagRunState;
  /** Unfinished tasks remain but none can ever start: Airflow fails the run. */
  deadlocked: boolean;
}

function pastAllows(dag: CompiledDag, taskId: string, previousRun: TaskStates | null | undefined): boolean {
  if (!dag.tasks[taskId].dependsOnPast || previousRun === undefined || previousRun === null) return true;
  // A task that did not exist in the previous run waits, as Airflow's PrevDagrunDep does.
  if (previousRun[taskId] === undefined) return false;
  return instanceStates(previousRun, taskId).every((s) => s !== null && SUCCESS_STATES.has(s));
}

const IN_PROGRESS: ReadonlySet<TaskStateOrNone> = new Set([
  "scheduled", "queued", "running", "up_for_retry", "up_for_reschedule", "deferred", "restarting",
]);

export function step(dag: CompiledDag, states: TaskStates, options: StepOptions = {}): StepResult {
  const next: Record<string, TaskStateOrNone | readonly TaskStateOrNone[]> = { ...states };
  const skipped: string[] = [];
  const upstreamFailed: string[] = [];
  let changed = true;
  while (changed) {
    changed = false;
    for (const taskId of dag.taskOrder) {
      if (singleState(next, taskId) !== null) continue;
      const decision = evaluateTask(dag, taskId, next);
      if (decision === "skip") {
        next[taskId] = "skipped";
        skipped.push(taskId);
        changed = true;
      } else if (decision === "upstream_failed") {
        next[taskId] = "upstream_failed";
        upstreamFailed.push(taskId);
        changed = true;
      }
    }
  }
  const runnable: string[] = [];
  const waitingOnPast: string[] = [];
  for (const taskId of dag.taskOrder) {
    if (singleState(next, taskId) !== null || evaluateTask(dag, taskId, next) !== "run") continue;
    if (pastAllows(dag, taskId, options.previousRun)) runnable.push(taskId);
    else waitingOnPast.push(taskId);
  }
  const { runState, deadlocked } = decideRunState(dag, next, runnable.length > 0 || waitingOnPast.length > 0);
  return { runnable, skipped, upstreamFailed, waitingOnPast, states: next, runState, deadlocked };
}

/** What stepTasks decided for the candidates it was given. */
export interface IncrementalStep {
  runnable: string[];
  skipped: string[];
  upstreamFailed: string[];
  waitingOnPast: string[];
}

/**
 * The same decisions as `step`, for a DAG run in progress: only `candidates` (tasks whose
 * upstreams changed) and the cascade below them are evaluated, so a run of n tasks costs O(edges)
 * in all instead of O(n) per change. Mutates `states` (skips and upstream_failed). Candidates are
 * taken in topological order, so one pass completes a cascade.
 */
export function stepTasks(
  dag: CompiledDag,
  states: Record<string, TaskStateOrNone | readonly TaskStateOrNone[]>,
  candidates: Iterable<string>,
  options: StepOptions = {},
): IncrementalStep {
  const out: IncrementalStep = { runnable: [], skipped: [], upstreamFailed: [], waitingOnPast: [] };
  const order = topologicalIndex(dag);
  const queue = [...new Set(candidates)];
  if (queue.length > 1) queue.sort((a, b) => order.get(a)! - order.get(b)!);
  const queued = new Set(queue);
  for (let i = 0; i < queue.length; i++) {
    const taskId = queue[i];
    if (singleState(states, taskId) !== null) continue;
    const decision = evaluateTask(dag, taskId, states, options.counts);
    if (decision === "skip" || decision === "upstream_failed") {
      states[taskId] = decision === "skip" ? "skipped" : "upstream_failed";
      options.onDecided?.(taskId, states[taskId] as TaskStateOrNone);
      (decision === "skip" ? out.skipped : out.upstreamFailed).push(taskId);
      // Downstreams come later in topological order: insert them keeping the queue sorted.
      for (const d of dag.tasks[taskId].downstream) {
        if (queued.has(d)) continue;
        queued.add(d);
        let at = queue.length;
        while (at > i + 1 && order.get(queue[at - 1])! > order.get(d)!) at--;
        queue.splice(at, 0, d);
      }
    } else if (decision === "run") {
      if (pastAllows(dag, taskId, options.previousRun)) out.runnable.push(taskId);
      else out.waitingOnPast.push(taskId);
    }
  }
  return out;
}

const topoCache = new WeakMap<CompiledDag, Map<string, number>>();
function topologicalIndex(dag: CompiledDag): Map<string, number> {
  let index = topoCache.get(dag);
  if (!index) {
    index = new Map(dag.taskOrder.map((id, i) => [id, i]));
    topoCache.set(dag, index);
  }
  return index;
}

/**
 * Airflow's DagRun.update_state: decided once no task instance is unfinished (FAILED if a leaf is
 * failed or upstream_failed, SUCCESS if every leaf is success or skipped); unfinished instances of
 * which none is in progress and none can start make a deadlock, which is FAILED.
 */
export function decideRunState(dag: CompiledDag, states: TaskStates, canStartAny: boolean): { runState: DagRunState; deadlocked: boolean } {
  const all = dag.taskOrder.flatMap((id) => instanceStates(states, id));
  const unfinished = all.filter((s) => s === null || !FINISHED_STATES.has(s));
  const leafStates = dag.leaves.flatMap((id) => instanceStates(states, id)).filter((s) => s !== "removed");
  if (unfinished.length === 0) {
    if (leafStates.some((s) => s !== null && FAILED_STATES.has(s))) return { runState: "failed", deadlocked: false };
    if (leafStates.every((s) => s !== null && SUCCESS_STATES.has(s))) return { runState: "success", deadlocked: false };
    return { runState: "running", deadlocked: false };
  }
  if (!canStartAny && !unfinished.some((s) => IN_PROGRESS.has(s))) return { runState: "failed", deadlocked: true };
  return { runState: "running", deadlocked: false };
}

/** dagrun_timeout: the run fails and every unfinished task instance becomes SKIPPED. */
export function timeOutRun(dag: CompiledDag, states: TaskStates): { states: TaskStates; skipped: string[] } {
  const next: Record<string, TaskStateOrNone | readonly TaskStateOrNone[]> = { ...states };
  const skipped: string[] = [];
  for (const taskId of dag.taskOrder) {
    const list = instanceStates(states, taskId);
    if (list.every((s) => s !== null && FINISHED_STATES.has(s))) continue;
    skipped.push(taskId);
    const entry = states[taskId];
    next[taskId] = Array.isArray(entry) ? list.map((s) => (s !== null && FINISHED_STATES.has(s) ? s : "skipped")) : "skipped";
  }
  return { states: next, skipped };
}

export function dagRunTimedOut(dag: CompiledDag, runStartMs: number, nowMs: number): boolean {
  return dag.dagrunTimeoutSeconds !== null && nowMs - runStartMs > dag.dagrunTimeoutSeconds * 1000;
}
