import type { CompiledDag } from "../model/compiled-dag";
import { descendants } from "../model/graph";
import type { TaskStateOrNone, TaskStates } from "./states";

// Branching as Airflow's SkipMixin.skip_all_except does it: the branch returns a task id, a list
// of ids or None/[]; a task-group id means the group's roots. followed = the returned tasks and
// everything downstream of them. Only the branch's DIRECT downstreams that are not followed are
// set SKIPPED here; the trigger rules (scheduler.step) carry the skip further.

export type BranchDecision =
  | { ok: true; followed: string[]; skip: string[] }
  | { ok: false; error: string };

function describe(value: unknown): string {
  return `${JSON.stringify(value) ?? String(value)} (${value === null ? "null" : Array.isArray(value) ? "list" : typeof value})`;
}

export function resolveBranch(dag: CompiledDag, branchTaskId: string, returned: unknown): BranchDecision {
  const who = `branch task '${branchTaskId}'`;
  let ids: unknown[];
  if (returned === null || returned === undefined) ids = [];
  else if (typeof returned === "string") ids = [returned];
  else if (Array.isArray(returned)) ids = returned;
  else return { ok: false, error: `${who} must return a task id, a list of task ids or None; got ${describe(returned)}` };

  const invalid = ids.filter((id) => typeof id !== "string");
  if (invalid.length > 0) {
    return { ok: false, error: `${who}: branch task ids must be strings; invalid: ${invalid.map(describe).join(", ")}` };
  }
  const chosen = new Set<string>();
  const unknown: string[] = [];
  for (const id of ids as string[]) {
    if (dag.tasks[id] !== undefined) chosen.add(id);
    else if (dag.groups[id] !== undefined) for (const root of dag.groups[id].roots) chosen.add(root);
    else unknown.push(id);
  }
  if (unknown.length > 0) {
    return { ok: false, error: `${who} returned unknown task id(s): ${unknown.map((id) => `'${id}'`).join(", ")}` };
  }
  const followed = new Set(chosen);
  for (const id of chosen) for (const d of descendants(id, (t) => dag.tasks[t].downstream)) followed.add(d);
  const skip = dag.tasks[branchTaskId].downstream.filter((id) => !followed.has(id));
  return { ok: true, followed: dag.taskOrder.filter((id) => followed.has(id)), skip };
}

/**
 * Marks the branch's skipped downstreams SKIPPED whatever state they had, every map index of a
 * mapped one, as SkipMixin._set_state_to_skipped does: a task that already finished (one_success
 * on another upstream, say) or is still running is overruled by the branch's decision.
 */
export function applyBranchSkips(states: TaskStates, skip: readonly string[]): TaskStates {
  const next: Record<string, TaskStateOrNone | readonly TaskStateOrNone[]> = { ...states };
  for (const id of skip) {
    const entry = next[id];
    next[id] = Array.isArray(entry) ? entry.map((): TaskStateOrNone => "skipped") : "skipped";
  }
  return next;
}
