import type { OrchestrationContext, Task } from "durable-functions";
import type { CompiledDag } from "../model/compiled-dag";
import type { JsonObject } from "../model/json";
import { decideRunState, stepTasks, timeOutRun } from "../rules/scheduler";
import { FINISHED_STATES, type TaskStates } from "../rules/states";
import { dateAt } from "./durable-time";
import { DurableTurns, type ActivityOutcome } from "./durable-turns";
import { LedgerOutbox, type Carried } from "./ledger-outbox";
import type { ContinuedRun, DagRunInput, DagRunOutput } from "./run-input";
import { RunState } from "./run-state";
import { errorMessage, TaskLifecycle, type LifecycleHost } from "./task-lifecycle";
import { LEDGER_WRITE_ACTIVITY, PREVIOUS_RUN_STATES_ACTIVITY, SCHEDULE_DUE_ACTIVITY, CALLBACK_ACTIVITY } from "./task-invocation";

// One DAG run: evaluate the trigger rules after every change and start each task as soon as its
// rule allows (not in waves), wait through DurableTurns, and end with the run's state written to
// the ledger. Deterministic: time comes only from the orchestration context.

/** How often a task held by depends_on_past looks at the previous run again. */
const PAST_POLL_SECONDS = 60;
const MAX_PAST_POLL_SECONDS = 3600;
/** A bookkeeping write that failed is sent again after this delay, doubling up to a minute. */
const LEDGER_RETRY_SECONDS = 2;
const MAX_LEDGER_RETRY_SECONDS = 60;
const FINAL_WRITE_ATTEMPTS = 5;
/** Rows wait this long at most for an activity to carry them before they are written on their own. */
const LEDGER_DEFER_SECONDS = 15;
/**
 * After this many activities in one execution, the run continues as a new execution at the next
 * point where no task instance runs or waits (between the tasks of a chain): every episode
 * replays its execution's history from the start, so a long chain would otherwise cost time
 * quadratic in its length, here and in Azure.
 */
const CONTINUE_AS_NEW_AFTER_ACTIVITIES = 100;

export class DagRun implements LifecycleHost {
  readonly turns: DurableTurns;
  readonly state: RunState;
  readonly outbox: LedgerOutbox;
  readonly instanceId: string;
  readonly runDeadlineMs: number | null;
  private readonly lifecycle: TaskLifecycle;
  private readonly runStartMs: number;
  private previousRun: TaskStates | null = null;
  private waitingOnPast: string[] = [];
  private pastRefreshed = false;
  private pastPollSeconds = PAST_POLL_SECONDS;
  private ledgerRetrySeconds = LEDGER_RETRY_SECONDS;
  private timedOut = false;
  private failureReason: string | null = null;
  /** Executions before this one that continued as new. */
  private continuations = 0;
  /** Activities counted before this execution began. */
  private activitiesBefore = 0;

  constructor(
    readonly dag: CompiledDag,
    readonly input: DagRunInput,
    private readonly context: OrchestrationContext,
  ) {
    this.turns = new DurableTurns(context);
    this.runStartMs = input.continued?.runStartMs ?? this.turns.now();
    this.instanceId = context.df.instanceId;
    this.state = new RunState(dag);
    this.outbox = new LedgerOutbox(dag, input.runId, this.runStartMs, () => this.turns.now());
    this.runDeadlineMs = dag.dagrunTimeoutSeconds === null ? null : this.runStartMs + dag.dagrunTimeoutSeconds * 1000;
    this.lifecycle = new TaskLifecycle(this);
  }

  /**
   * Queues an activity; the pending ledger rows ride in its input, and are sent again if it
   * fails. On replay the input is not built: the extension reads the input of new work only, and
   * replaying rebuilds every earlier one (`$replayed` names the work for the determinism check).
   */
  call(name: string, payload: () => object, onDone: (outcome: ActivityOutcome) => void, summary?: object): string {
    let carried: Carried | null = null;
    return this.turns.call({
      name,
      input: (wake) => {
        carried = this.outbox.take();
        if (this.context.df.isReplaying) return { $replayed: summary ?? true };
        return { ...payload(), $ledger: this.outbox.toWrite(carried), $wake: wake };
      },
      onDone: (outcome) => {
        if (!outcome.ok) this.outbox.requeue(carried);
        onDone(outcome);
      },
    });
  }

  interrupted(): void {
    this.timedOut = true;
  }

  /** The run's output, or undefined when this execution continued as new. */
  *run(): Generator<Task, DagRunOutput | undefined, unknown> {
    if (this.input.continued) this.resume(this.input.continued);
    else yield* this.begin();
    let runState: "success" | "failed" = "failed";
    for (;;) {
      if (this.mayContinueAsNew()) {
        this.context.df.continueAsNew({ ...this.input, continued: this.snapshot() });
        return undefined;
      }
      this.step();
      if (this.timedOut || this.pastRunDeadline()) {
        this.timeOut();
        break;
      }
      if (this.turns.idle) {
        const decided = decideRunState(this.dag, this.state.view, this.waitingOnPast.length > 0);
        if (decided.deadlocked) {
          this.failureReason = "Deadlock: unfinished tasks remain but none can run.";
          break;
        }
        if (decided.runState === "success" || decided.runState === "failed") {
          runState = decided.runState;
          break;
        }
        if (!this.waitingOnPast.length) {
          this.failureReason = "No task can make progress.";
          break;
        }
        this.pollPreviousRun();
      }
      // Decided before plan() may queue a bookkeeping write, which does not stop at the deadline.
      const wakeBy = this.wakeBy();
      this.plan(wakeBy);
      if (!this.context.df.isReplaying) this.context.df.setCustomStatus(this.state.stateCounts());
      yield* this.turns.turn(wakeBy);
    }
    return yield* this.finish(runState);
  }

  private *begin(): Generator<Task, void, unknown> {
    this.outbox.runState("running", this.instanceId, this.input as unknown as JsonObject);
    this.applyReuse();
    if (Object.values(this.dag.tasks).some((t) => t.dependsOnPast)) {
      // Nothing else is outstanding yet: one activity, awaited on its own.
      const read = this.context.df.callActivity(PREVIOUS_RUN_STATES_ACTIVITY, { dagId: this.dag.dagId, logicalDate: this.input.logicalDate });
      this.previousRun = (yield this.turns.counted(read, "activities")) as TaskStates | null;
    }
    this.state.candidates = new Set(this.dag.taskOrder);
  }

  /**
   * Whether to continue as a new execution now: enough activities in this one, and nothing
   * outstanding that the new one could not pick up from the snapshot (no instance running or
   * waiting, no bookkeeping write on its way, no depends_on_past poll), with work left to start.
   */
  private mayContinueAsNew(): boolean {
    return this.turns.actions.activities - this.activitiesBefore >= CONTINUE_AS_NEW_AFTER_ACTIVITIES &&
      this.state.candidates.size > 0 && this.lifecycle.idle && this.turns.idle && !this.outbox.writing &&
      !this.waitingOnPast.length && !this.pastRefreshed && !this.timedOut && !this.pastRunDeadline() && this.failureReason === null;
  }

  private pastRunDeadline(): boolean {
    return this.runDeadlineMs !== null && this.turns.now() >= this.runDeadlineMs;
  }

  /**
   * When the next turn must end at the latest: the run's dagrun_timeout while no activity runs
   * (running ones stop at it themselves, and so wake the run).
   */
  private wakeBy(): number | undefined {
    return this.runDeadlineMs === null || this.turns.busy ? undefined : this.runDeadlineMs;
  }

  private snapshot(): ContinuedRun {
    return {
      runStartMs: this.runStartMs, state: this.state.snapshot(), outbox: this.outbox.snapshot(), turns: this.turns.snapshot(),
      continuations: this.continuations + 1, previousRun: this.previousRun, pastPollSeconds: this.pastPollSeconds, ledgerRetrySeconds: this.ledgerRetrySeconds,
    };
  }

  private resume(c: ContinuedRun): void {
    this.state.restore(c.state);
    this.outbox.restore(c.outbox);
    this.turns.restore(c.turns);
    this.continuations = c.continuations;
    this.activitiesBefore = c.turns.actions.activities;
    this.previousRun = c.previousRun;
    this.pastPollSeconds = c.pastPollSeconds;
    this.ledgerRetrySeconds = c.ledgerRetrySeconds;
  }

  /** Evaluates the candidates' trigger rules, records what the scheduler decides and starts what may run. */
  private step(): void {
    for (;;) {
      if (this.pastRefreshed) {
        this.pastRefreshed = false;
        for (const id of this.waitingOnPast) this.state.candidates.add(id);
      }
      if (!this.state.candidates.size) return;
      const candidates = this.state.takeCandidates();
      const result = stepTasks(this.dag, this.state.states, candidates, {
        previousRun: this.previousRun,
        counts: (id) => this.state.counts(id),
        onDecided: (id, state) => this.state.decided(id, state),
      });
      for (const id of result.skipped) this.lifecycle.decide(id, -1, "skipped", { cascaded: true });
      for (const id of result.upstreamFailed) this.lifecycle.decide(id, -1, "upstream_failed", { cascaded: true });
      if (this.waitingOnPast.length || result.waitingOnPast.length) {
        this.waitingOnPast = [...new Set([...this.waitingOnPast.filter((id) => !candidates.has(id)), ...result.waitingOnPast])];
      }
      for (const id of result.runnable) this.lifecycle.start(id);
    }
  }

  /** What the next turn needs besides the tasks' own work: a ledger write. */
  private plan(wakeBy: number | undefined): void {
    const soon = this.turns.nextDeadline(wakeBy);
    const carrierDueSoon = soon !== undefined && soon - this.turns.now() <= LEDGER_DEFER_SECONDS * 1000;
    if (this.outbox.pending && !this.outbox.writing && this.turns.queuedCount === 0 && !carrierDueSoon && !this.turns.hasDeadline("ledger-retry")) {
      // Nothing starts now or shortly (a poke, a retry) that could carry the rows: a bookkeeping
      // write of their own.
      this.outbox.writing = true;
      const write = this.outbox.take();
      this.turns.call({
        name: LEDGER_WRITE_ACTIVITY,
        input: (wake) => (this.context.df.isReplaying ? { $replayed: true } : { ...this.outbox.toWrite(write), $wake: wake }),
        onDone: (outcome) => {
          this.outbox.writing = false;
          if (outcome.ok) return void (this.ledgerRetrySeconds = LEDGER_RETRY_SECONDS);
          this.outbox.requeue(write);
          this.turns.setDeadline("ledger-retry", this.turns.now() + this.ledgerRetrySeconds * 1000, () => undefined);
          this.ledgerRetrySeconds = Math.min(this.ledgerRetrySeconds * 2, MAX_LEDGER_RETRY_SECONDS);
        },
      });
    }
  }

  /** depends_on_past: look at the previous run again later, backing off to keep history short. */
  private pollPreviousRun(): void {
    this.turns.setDeadline("past", this.turns.now() + this.pastPollSeconds * 1000, () => {
      this.call(PREVIOUS_RUN_STATES_ACTIVITY, () => ({ dagId: this.dag.dagId, logicalDate: this.input.logicalDate }), (outcome) => {
        if (outcome.ok) this.previousRun = outcome.value as TaskStates | null;
        this.pastRefreshed = true;
      });
    });
    this.pastPollSeconds = Math.min(this.pastPollSeconds * 2, MAX_PAST_POLL_SECONDS);
  }

  private applyReuse(): void {
    for (const [taskId, reused] of Object.entries(this.input.reuse ?? {})) {
      if (!this.dag.tasks[taskId]) continue;
      const values = reused.mapped && Array.isArray(reused.xcom) ? reused.xcom : null;
      this.state.reuse(taskId, values ? values.map(() => reused.state) : reused.state, reused.xcom);
      const rows = values ? values.map((x, i) => [i, x] as const) : [[-1, reused.xcom] as const];
      for (const [mapIndex, xcom] of rows) {
        this.outbox.task({ taskId, mapIndex, state: reused.state, tryNumber: 0, startedAtMs: this.turns.now(), error: null, xcom });
      }
    }
  }

  /** dagrun_timeout: every unfinished task becomes SKIPPED and the run fails. */
  private timeOut(): void {
    const before = this.state.view;
    const timedOut = timeOutRun(this.dag, before);
    this.state.states = { ...(timedOut.states as RunState["states"]) };
    this.lifecycle.dropAll();
    for (const id of timedOut.skipped) {
      const entry = before[id];
      const indexes = Array.isArray(entry) ? entry.map((_, i) => i) : [-1];
      for (const i of indexes) {
        const was = Array.isArray(entry) ? entry[i] : (entry ?? null);
        if (was !== null && FINISHED_STATES.has(was)) continue;
        this.outbox.task({ taskId: id, mapIndex: i, state: "skipped", tryNumber: this.state.tryOf(id, i) ?? 0, startedAtMs: null, error: "dagrun_timeout" });
      }
    }
    this.failureReason = `The run exceeded dagrun_timeout (${this.dag.dagrunTimeoutSeconds} s).`;
  }

  private *finish(runState: "success" | "failed"): Generator<Task, DagRunOutput, unknown> {
    this.turns.clearWaits();
    // Bookkeeping and callbacks still on their way finish first, so the ledger holds every task
    // before the run's end state.
    while (this.turns.busy) yield* this.turns.turn();
    this.outbox.runState(runState, this.instanceId);
    for (let attempt = 1; attempt <= FINAL_WRITE_ATTEMPTS; attempt++) {
      const write = this.outbox.take();
      if (!write) break;
      try {
        const input = this.context.df.isReplaying ? { $replayed: true } : this.outbox.toWrite(write);
        yield this.turns.counted(this.context.df.callActivity(LEDGER_WRITE_ACTIVITY, input), "activities");
        break;
      } catch (err) {
        // The orchestration still completes with its output if every attempt fails; the ledger then lags.
        this.outbox.requeue(write);
        if (attempt === FINAL_WRITE_ATTEMPTS) this.failureReason ??= `The run's end state could not be written to the ledger: ${errorMessage(err)}`;
        else yield this.turns.counted(this.context.df.createTimer(dateAt(this.turns.now() + attempt * LEDGER_RETRY_SECONDS * 1000)), "timers");
      }
    }
    for (const name of runState === "success" ? this.dag.callbacks.onSuccess : this.dag.callbacks.onFailure) {
      this.turns.call({ name: CALLBACK_ACTIVITY, input: (wake) => ({ name, dagId: this.dag.dagId, runId: this.input.runId, taskId: null, state: runState, reason: this.failureReason, $wake: wake }), onDone: () => undefined });
    }
    // Airflow's scheduler starts the next due run as soon as a slot frees, not at the next tick.
    if (this.input.runType === "scheduled") {
      this.turns.call({ name: SCHEDULE_DUE_ACTIVITY, input: (wake) => ({ dagId: this.dag.dagId, $wake: wake }), onDone: () => undefined });
    }
    while (this.turns.busy) yield* this.turns.turn();
    if (!this.context.df.isReplaying) this.context.df.setCustomStatus(this.state.stateCounts());
    return { dagId: this.dag.dagId, runId: this.input.runId, state: runState, reason: this.failureReason, tasks: this.state.summaries(), actions: { ...this.turns.actions, continuations: this.continuations } };
  }
}
