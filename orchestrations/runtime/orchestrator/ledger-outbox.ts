import type { CompiledDag } from "../model/compiled-dag";
import type { JsonObject, JsonValue } from "../model/json";
import { airflowIso } from "../time/time";
import { ledgerVersion, type LedgerWrite, type TaskStatePatch } from "./task-invocation";

// State changes waiting to reach the run ledger. They ride with the next activity the
// orchestrator starts anyway (its input carries them and the activity writes them first), or go
// out in a bookkeeping write of their own when no activity starts. Every row carries a version:
// this execution's epoch and a sequence number, so writes that land out of order (two activities
// racing, an attempt that starts late) never replace a later decision.
//
// Decisions are kept raw and turned into rows only for an input that is really sent: a replay
// rebuilds every earlier input, which the Durable extension never reads again.

/** A decision as the orchestrator makes it; times in ms, the XCom as a value. */
export interface Decision {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  atMs: number;
  startedAtMs: number | null;
  error: string | null;
  /** undefined: the row's XCom is left as it is. */
  xcom?: JsonValue;
  slaMissedDeadlineMs?: number;
  note?: string;
  seq: number;
}

interface RunDecision {
  state: "running" | "success" | "failed";
  atMs: number;
  instanceId: string;
  input?: JsonObject;
  seq: number;
}

/** The outbox as plain data, carried into the next execution by continue-as-new. */
export interface OutboxSnapshot {
  seq: number;
  tasks: Decision[];
  run: RunDecision | null;
}

/** What an activity carries: decisions to turn into a LedgerWrite, or to put back if it fails. */
export interface Carried {
  tasks: Decision[];
  run: RunDecision | null;
}

export class LedgerOutbox {
  private tasks: Decision[] = [];
  private run: RunDecision | null = null;
  private seq = 0;
  /** A bookkeeping write of its own is on its way: one at a time keeps their number down. */
  writing = false;

  constructor(
    private readonly dag: CompiledDag,
    private readonly runId: string,
    private readonly epochMs: number,
    private readonly now: () => number,
  ) {}

  snapshot(): OutboxSnapshot {
    return { seq: this.seq, tasks: this.tasks, run: this.run };
  }

  /** Takes up an earlier execution's outbox: its versions go on from where it stopped. */
  restore(snap: OutboxSnapshot): void {
    this.seq = snap.seq;
    this.tasks = snap.tasks;
    this.run = snap.run;
  }

  /** The next version of this run, for a decision or an attempt's own row. */
  nextVersion(): string {
    return ledgerVersion(this.epochMs, this.nextSeq());
  }

  /**
   * Takes the next version now and formats it only when asked: a replay takes every earlier
   * version again (so later ones stay the same) but never sends them.
   */
  reserveVersion(): () => string {
    const seq = this.nextSeq();
    return () => ledgerVersion(this.epochMs, seq);
  }

  private nextSeq(): number {
    this.seq += 1;
    return this.seq;
  }

  task(fields: Omit<Decision, "atMs" | "seq">): Decision {
    const decision: Decision = { ...fields, atMs: this.now(), seq: this.nextSeq() };
    this.tasks.push(decision);
    return decision;
  }

  runState(state: RunDecision["state"], instanceId: string, input?: JsonObject): void {
    this.run = { state, atMs: this.now(), instanceId, ...(input ? { input } : {}), seq: this.nextSeq() };
  }

  get pending(): boolean {
    return this.tasks.length > 0 || this.run !== null;
  }

  /** Everything waiting, handed to the activity that will write it; null when nothing waits. */
  take(): Carried | null {
    if (!this.pending) return null;
    const carried: Carried = { tasks: this.tasks, run: this.run };
    this.tasks = [];
    this.run = null;
    return carried;
  }

  /** The activity carrying these failed: send them again (versions make a repeat harmless). */
  requeue(carried: Carried | null | undefined): void {
    if (!carried) return;
    this.tasks = [...carried.tasks, ...this.tasks];
    if (carried.run && (!this.run || carried.run.seq > this.run.seq)) this.run = carried.run;
  }

  /** The rows of a write, as the bookkeeping activities take them. */
  toWrite(carried: Carried | null): LedgerWrite | null {
    if (!carried) return null;
    const run = carried.run;
    return {
      dagId: this.dag.dagId,
      runId: this.runId,
      run: run && { state: run.state, at: airflowIso(run.atMs), instanceId: run.instanceId, ...(run.input ? { input: run.input } : {}), version: ledgerVersion(this.epochMs, run.seq) },
      tasks: carried.tasks.map((d) => this.row(d)),
    };
  }

  private row(d: Decision): TaskStatePatch {
    const task = this.dag.tasks[d.taskId];
    return {
      taskId: d.taskId,
      mapIndex: d.mapIndex,
      state: d.state,
      tryNumber: d.tryNumber,
      maxTries: task.retry.retries + 1,
      operator: task.operator,
      at: airflowIso(d.atMs),
      startedAt: d.startedAtMs === null ? null : airflowIso(d.startedAtMs),
      error: d.error,
      xcom: d.xcom === undefined ? null : JSON.stringify(d.xcom),
      ...(d.slaMissedDeadlineMs !== undefined ? { slaMissedDeadline: airflowIso(d.slaMissedDeadlineMs) } : {}),
      ...(d.note ? { note: d.note } : {}),
      version: ledgerVersion(this.epochMs, d.seq),
    };
  }
}
