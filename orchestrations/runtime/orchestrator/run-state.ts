import type { CompiledDag } from "../model/compiled-dag";
import type { JsonValue } from "../model/json";
import { collectMappedResults } from "../rules/mapping";
import type { TaskStateOrNone, TaskStates } from "../rules/states";
import type { UpstreamCounts } from "../rules/trigger-rules";
import { UpstreamTally } from "../rules/upstream-tally";
import type { TaskInstanceSummary } from "./run-input";

// The state of one DAG run as the orchestrator holds it: task states (one per map index once a
// task is expanded), XComs, try numbers, and the tasks to evaluate next (downstreams of changes).

/** A run's state as plain data, carried into the next execution by continue-as-new. */
export interface RunStateSnapshot {
  states: Record<string, TaskStateOrNone | TaskStateOrNone[]>;
  xcoms: Record<string, JsonValue | JsonValue[]>;
  tries: [string, number | number[]][];
  candidates: string[];
}

export class RunState {
  states: Record<string, TaskStateOrNone | TaskStateOrNone[]> = {};
  private xcoms: Record<string, JsonValue | JsonValue[]> = {};
  /** Try numbers by task id: one for an unmapped task, one per map index for a mapped one. */
  private tries = new Map<string, number | number[]>();
  private tally: UpstreamTally | null = null;
  /** Tasks to evaluate on the next step: downstreams of tasks whose state changed. */
  candidates = new Set<string>();

  constructor(private readonly dag: CompiledDag) {}

  snapshot(): RunStateSnapshot {
    return { states: this.states, xcoms: this.xcoms, tries: [...this.tries.entries()], candidates: [...this.candidates] };
  }

  /** Takes up a snapshot of an earlier execution, before anything else happens to this state. */
  restore(snap: RunStateSnapshot): void {
    if (this.tally) throw new Error("RunState.restore after the run started (orchestrator bug).");
    this.states = snap.states;
    this.xcoms = snap.xcoms;
    this.tries = new Map(snap.tries);
    this.candidates = new Set(snap.candidates);
  }

  get view(): TaskStates {
    return this.states;
  }

  set(taskId: string, mapIndex: number, state: TaskStateOrNone): void {
    const before = this.get(taskId, mapIndex);
    if (mapIndex < 0) this.states[taskId] = state;
    else (this.states[taskId] as TaskStateOrNone[])[mapIndex] = state;
    this.tally?.change(taskId, before, state);
  }

  /** Trigger-rule counts over a task's upstream instances, kept current as states change. */
  counts(taskId: string): UpstreamCounts {
    this.tally ??= new UpstreamTally(this.dag, this.states);
    return this.tally.countsFor(taskId, this.states);
  }

  /** The scheduling step set this state itself (skipped, upstream_failed) in `states`. */
  decided(taskId: string, state: TaskStateOrNone): void {
    this.tally?.change(taskId, null, state);
  }

  get(taskId: string, mapIndex: number): TaskStateOrNone {
    const entry = this.states[taskId];
    if (entry === undefined) return null;
    if (Array.isArray(entry)) return entry[mapIndex] ?? null;
    return entry;
  }

  /** A mapped task expanded into `count` instances, all scheduled. */
  expand(taskId: string, count: number): void {
    const before = this.get(taskId, -1);
    this.states[taskId] = Array.from({ length: count }, () => "scheduled");
    this.tally?.expand(taskId, before, count, "scheduled");
    this.xcoms[taskId] = Array.from({ length: count }, () => null);
  }

  setXCom(taskId: string, mapIndex: number, value: JsonValue): void {
    if (mapIndex >= 0) (this.xcoms[taskId] as JsonValue[])[mapIndex] = value;
    else this.xcoms[taskId] = value;
  }

  /** A result dropped (a branch turned the task into skipped after it succeeded). */
  dropXCom(taskId: string, mapIndex: number): void {
    if (mapIndex >= 0 && Array.isArray(this.xcoms[taskId])) (this.xcoms[taskId] as JsonValue[])[mapIndex] = null;
    else delete this.xcoms[taskId];
  }

  /** Reused from an earlier run (`dags rerun --failed-only`, clearing tasks). */
  reuse(taskId: string, state: TaskStateOrNone | TaskStateOrNone[], xcom: JsonValue | JsonValue[]): void {
    if (this.tally) throw new Error("RunState.reuse after the run started (orchestrator bug).");
    this.states[taskId] = state;
    this.xcoms[taskId] = xcom;
  }

  /** What downstream tasks see of a task's result: mapped results in map_index order, None omitted. */
  xcomValue(taskId: string): JsonValue {
    const value = this.xcoms[taskId];
    if (value === undefined) return null;
    return Array.isArray(this.states[taskId]) ? (collectMappedResults(value as JsonValue[]) as JsonValue) : (value as JsonValue);
  }

  tryOf(taskId: string, mapIndex: number): number | undefined {
    const t = this.tries.get(taskId);
    return Array.isArray(t) ? t[mapIndex] : mapIndex < 0 ? t : undefined;
  }

  setTry(taskId: string, mapIndex: number, tryNumber: number): void {
    if (mapIndex < 0) return void this.tries.set(taskId, tryNumber);
    let list = this.tries.get(taskId);
    if (!Array.isArray(list)) this.tries.set(taskId, (list = []));
    list[mapIndex] = tryNumber;
  }

  /** A task's state changed: its downstreams are evaluated on the next step. */
  touched(taskId: string): void {
    for (const d of this.dag.tasks[taskId].downstream) this.candidates.add(d);
  }

  takeCandidates(): Set<string> {
    const c = this.candidates;
    this.candidates = new Set();
    return c;
  }

  summaries(): TaskInstanceSummary[] {
    const out: TaskInstanceSummary[] = [];
    for (const taskId of this.dag.taskOrder) {
      const entry = this.states[taskId];
      if (Array.isArray(entry)) entry.forEach((state, i) => out.push({ taskId, mapIndex: i, state, tryNumber: this.tryOf(taskId, i) ?? 0 }));
      else out.push({ taskId, mapIndex: -1, state: entry ?? null, tryNumber: this.tryOf(taskId, -1) ?? 0 });
    }
    return out;
  }

  /** Task instances by state, for the orchestration's custom status. */
  stateCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    const add = (state: TaskStateOrNone | undefined) => {
      const key = state ?? "none";
      counts[key] = (counts[key] ?? 0) + 1;
    };
    for (const taskId of this.dag.taskOrder) {
      const entry = this.states[taskId];
      if (Array.isArray(entry)) for (const state of entry) add(state);
      else add(entry as TaskStateOrNone | undefined);
    }
    return counts;
  }
}
