import type { CompiledDag } from "../model/compiled-dag";
import { upstreamCounts } from "./scheduler";
import type { TaskStateOrNone, TaskStates } from "./states";
import { emptyCounts, type UpstreamCounts } from "./trigger-rules";

// The trigger-rule counts of every task, kept up to date as upstream instances change state, so
// evaluating a task after one of its upstreams finished costs O(1) instead of a pass over all of
// them (a fan-in of n tasks would otherwise cost O(n^2) over the run). Setup-task counts, which
// depend on whole upstream tasks, are read from the states when a task has setup upstreams.

type CountedField = "success" | "failed" | "skipped" | "upstreamFailed" | "removed";

const FIELD: Partial<Record<string, CountedField>> = {
  success: "success",
  failed: "failed",
  skipped: "skipped",
  upstream_failed: "upstreamFailed",
  removed: "removed",
};

export class UpstreamTally {
  private readonly counts = new Map<string, UpstreamCounts>();
  /** Tasks with a setup task among their upstreams (looked up once: a fan-in has many upstreams). */
  private readonly withSetup = new Set<string>();

  constructor(
    private readonly dag: CompiledDag,
    states: TaskStates,
  ) {
    for (const id of dag.taskOrder) {
      const c = upstreamCounts(dag, id, states);
      this.counts.set(id, { ...c, setupUpstream: 0, setupSuccess: 0, setupSkipped: 0 });
      if (c.setupUpstream > 0) this.withSetup.add(id);
    }
  }

  /** One instance of `taskId` went from `before` to `after`. */
  change(taskId: string, before: TaskStateOrNone, after: TaskStateOrNone): void {
    if (before === after) return;
    for (const d of this.dag.tasks[taskId].downstream) {
      const c = this.counts.get(d)!;
      const out = before === null ? undefined : FIELD[before];
      const into = after === null ? undefined : FIELD[after];
      if (out) c[out] -= 1;
      if (into) c[into] += 1;
    }
  }

  /** `taskId` was expanded from one unmapped state into `count` instances in `state`. */
  expand(taskId: string, before: TaskStateOrNone, count: number, state: TaskStateOrNone): void {
    for (const d of this.dag.tasks[taskId].downstream) {
      const c = this.counts.get(d)!;
      c.upstream += count - 1;
      const out = before === null ? undefined : FIELD[before];
      const into = state === null ? undefined : FIELD[state];
      if (out) c[out] -= 1;
      if (into) c[into] += count;
    }
  }

  countsFor(taskId: string, states: TaskStates): UpstreamCounts {
    const c = this.counts.get(taskId)!;
    if (!this.withSetup.has(taskId)) return c;
    const full = upstreamCounts(this.dag, taskId, states);
    return { ...c, setupUpstream: full.setupUpstream, setupSuccess: full.setupSuccess, setupSkipped: full.setupSkipped };
  }
}

export { emptyCounts };
