import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler, Task, TimerTask } from "durable-functions";
import { resolveBranch, applyBranchSkips } from "../rules/branching";
import type { CompiledDag, CompiledTask } from "../model/compiled-dag";
import { parseDuration } from "../time/duration";
import { dateAt } from "./durable-time";
import type { JsonObject, JsonValue } from "../model/json";
import { collectMappedResults, expandMapping, instanceConfig } from "../rules/mapping";
import { retryDelaySeconds, retryHashInput, shouldRetry } from "../rules/retry";
import type { DagRunInput, DagRunOutput, TaskInstanceSummary } from "./run-input";
import { decideRunState, stepTasks, timeOutRun } from "../rules/scheduler";
import {
  sensorElapsedSeconds, sensorHashInput, sensorNextPokeSeconds, sensorPokeErrorOutcome, sensorTimedOut, sensorTimeoutState,
} from "../rules/sensor";
import type { TaskStateOrNone, TaskStates } from "../rules/states";
import {
  blobSensorEventName, CALLBACK_ACTIVITY, LEDGER_WRITE_ACTIVITY, LedgerWrite, operatorActivityName, PREVIOUS_RUN_STATES_ACTIVITY,
  SCHEDULE_DUE_ACTIVITY, TaskActivityResult, TaskInvocation, TaskStatePatch,
} from "./task-invocation";
import { airflowIso, parseInstant } from "../time/time";
import { selectXComs, xcomListPlaceholders } from "./xcom-selection";

// The generic DAG orchestrator: one Durable orchestration per DAG run. It starts each task as soon
// as its trigger rule allows (not in waves), runs retries, sensors and execution timeouts on
// durable timers (no compute is held while waiting), and writes every state change to the ledger
// through a bookkeeping activity. Deterministic: time comes only from context.df.

/** Operators the orchestrator runs itself: nothing to do in an activity. */
const EMPTY_OPERATOR = "empty";
const TIME_DELTA_SENSOR = "time_delta_sensor";
/** Sensors a blob trigger can wake early (see functions/triggers/blob-sensor-trigger.ts). */
const EVENT_WOKEN_SENSORS = new Set(["blob_prefix_sensor"]);
/** How often a task held by depends_on_past looks at the previous run again. */
const PAST_POLL_SECONDS = 60;
const MAX_PAST_POLL_SECONDS = 3600;

interface Instance {
  taskId: string;
  mapIndex: number;
  config: JsonValue;
  tryNumber: number;
  /** When the first try started: a reschedule-mode sensor's timeout counts from here. */
  firstTryStartMs: number;
  /** When the current try started (first attempt or retry): a poke-mode sensor's timeout counts from here. */
  currentTryStartMs: number;
  /** When the current activity call started (each poke, each attempt). */
  tryStartMs: number;
  pokeCount: number;
  /** A blob trigger woke the sensor while a poke was running: poke again at once if not done. */
  wokenDuringPoke: boolean;
  /** Set when an operator hands over to a follow-up check (TriggerDagRun waiting for its run). */
  followUp: { operator: string; config: JsonValue; pokeIntervalSeconds: number; xcom: JsonValue } | null;
}

type Pending =
  | { kind: "attempt"; inst: Instance; task: Task; timeout: TimerTask | null }
  | { kind: "timeout"; inst: Instance; task: TimerTask; attempt: Task }
  | { kind: "try_deadline"; inst: Instance; task: TimerTask }
  | { kind: "wait"; inst: Instance; task: TimerTask; then: "retry" | "poke" | "succeed" }
  | { kind: "event"; inst: Instance; task: Task }
  | { kind: "ledger"; task: Task; write: LedgerWrite }
  | { kind: "callback"; task: Task }
  | { kind: "run_timeout"; task: TimerTask }
  | { kind: "past_poll"; task: TimerTask }
  | { kind: "past_refresh"; task: Task };

const LEDGER_RETRY = new df.RetryOptions(2000, 5);

/** A failed task is not "completed" in the SDK's terms (isCompleted is success only). */
function isFinished(task: Task): boolean {
  return task.isCompleted || task.isFaulted;
}

function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const message = String((error as { message: unknown }).message);
    // The SDK wraps activity failures as "Activity function 'x' failed: <message>"; keep the cause.
    return message.replace(/^Activity function '[^']*' failed:\s*/, "").split("\n")[0];
  }
  return String(error);
}

class DagRunExecution {
  private states: Record<string, TaskStateOrNone | TaskStateOrNone[]> = {};
  private readonly xcoms: Record<string, JsonValue | JsonValue[]> = {};
  private readonly tries: Record<string, number> = {};
  private pending: Pending[] = [];
  /** Tasks to evaluate on the next turn: downstreams of tasks whose state changed. */
  private candidates = new Set<string>();
  /** depends_on_past: the previous run's states were read again; re-evaluate the waiting tasks. */
  private pastRefreshed = false;
  /** depends_on_past polls back off, from a minute up to an hour, to keep history short. */
  private pastPollSeconds = PAST_POLL_SECONDS;
  private ledgerBuffer: TaskStatePatch[] = [];
  private ledgerInFlight = false;
  private runStateToWrite: LedgerWrite["run"] = null;
  private previousRun: TaskStates | null = null;
  private failureReason: string | null = null;
  private readonly runStartMs: number;

  constructor(
    private readonly dag: CompiledDag,
    private readonly input: DagRunInput,
    private readonly context: OrchestrationContext,
  ) {
    this.runStartMs = this.now();
  }

  private now(): number {
    return this.context.df.currentUtcDateTime.getTime();
  }

  private task(taskId: string): CompiledTask {
    return this.dag.tasks[taskId];
  }

  *run(): Generator<Task, DagRunOutput, unknown> {
    this.runStateToWrite = { state: "running", at: airflowIso(this.runStartMs), instanceId: this.context.df.instanceId, input: this.input as unknown as JsonObject };
    this.applyReuse();
    if (Object.values(this.dag.tasks).some((t) => t.dependsOnPast)) {
      this.previousRun = (yield this.context.df.callActivity(PREVIOUS_RUN_STATES_ACTIVITY, {
        dagId: this.dag.dagId, logicalDate: this.input.logicalDate,
      })) as TaskStates | null;
    }
    if (this.dag.dagrunTimeoutSeconds !== null) {
      const timer = this.context.df.createTimer(dateAt(this.runStartMs + this.dag.dagrunTimeoutSeconds * 1000));
      this.pending.push({ kind: "run_timeout", task: timer });
    }
    let runState: "running" | "success" | "failed" = "running";
    // Every task is a candidate at first; afterwards only the downstreams of what changed.
    this.candidates = new Set(this.dag.taskOrder);
    let waitingOnPast: string[] = [];
    for (;;) {
      if (this.pastRefreshed) {
        this.pastRefreshed = false;
        for (const id of waitingOnPast) this.candidates.add(id);
      }
      if (this.candidates.size) {
        const candidates = this.candidates;
        this.candidates = new Set();
        const result = stepTasks(this.dag, this.states, candidates, { previousRun: this.previousRun });
        for (const id of result.skipped) this.patchTask(id, -1, "skipped", null);
        for (const id of result.upstreamFailed) this.patchTask(id, -1, "upstream_failed", null);
        waitingOnPast = [...new Set([...waitingOnPast.filter((id) => !candidates.has(id)), ...result.waitingOnPast])];
        for (const id of result.runnable) this.startTask(id);
        if (this.candidates.size) continue; // starting may finish tasks at once (empty, mapped to nothing)
      }
      if (!this.hasWork()) {
        const decided = decideRunState(this.dag, this.states, waitingOnPast.length > 0);
        if (decided.deadlocked) {
          this.failureReason = "Deadlock: unfinished tasks remain but none can run.";
          runState = "failed";
          break;
        }
        if (decided.runState !== "running") {
          runState = decided.runState === "queued" ? "failed" : decided.runState;
          break;
        }
        if (!waitingOnPast.length) {
          this.failureReason = "No task can make progress.";
          runState = "failed";
          break;
        }
        // depends_on_past: look at the previous run again later. The wait goes through Task.any
        // like any other, so dagrun_timeout still ends the run while it waits.
        this.pending.push({ kind: "past_poll", task: this.context.df.createTimer(dateAt(this.now() + this.pastPollSeconds * 1000)) });
        this.pastPollSeconds = Math.min(this.pastPollSeconds * 2, MAX_PAST_POLL_SECONDS);
      }
      this.flushLedger();
      // Only the live execution's status counts; rebuilding it during replay is wasted work.
      if (!this.context.df.isReplaying) this.context.df.setCustomStatus(this.statusSummary());
      const winner = (yield this.context.df.Task.any(this.pending.map((p) => p.task))) as Task;
      if (!this.pending.some((p) => p.task === winner)) {
        throw new Error(`DAG '${this.dag.dagId}': a completed task is not tracked (orchestrator bug).`);
      }
      // Handle every completion already in history, not just the winner: one Task.any per batch
      // keeps history and replay small when many tasks finish together.
      const completed = this.pending.filter((p) => isFinished(p.task));
      let timedOut = false;
      for (const done of completed) {
        if (!this.pending.includes(done)) continue; // handled with its partner (attempt and its timeout)
        this.pending = this.pending.filter((p) => p !== done);
        if (done.kind === "run_timeout") {
          timedOut = true;
          break;
        }
        this.handle(done);
      }
      if (timedOut) {
        this.timeOut();
        runState = "failed";
        break;
      }
    }
    return yield* this.finish(runState);
  }

  /** Work that keeps the run going: attempts and waits (ledger writes and callbacks do not). */
  private hasWork(): boolean {
    return this.pending.some((p) => p.kind === "attempt" || p.kind === "timeout" || p.kind === "wait" || p.kind === "past_poll" || p.kind === "past_refresh");
  }

  private *finish(runState: "success" | "failed" | "running"): Generator<Task, DagRunOutput, unknown> {
    const final = runState === "success" ? "success" : "failed";
    // All timers must be completed or cancelled for an orchestration to complete.
    for (const p of this.pending) if (p.kind === "wait" || p.kind === "timeout" || p.kind === "try_deadline" || p.kind === "run_timeout" || p.kind === "past_poll") p.task.cancel();
    // Outstanding bookkeeping first, so the ledger shows every task before the run's end state.
    yield* this.drain(this.pending.filter((p) => p.kind === "ledger" || p.kind === "callback"));
    this.runStateToWrite = { state: final, at: airflowIso(this.now()), instanceId: this.context.df.instanceId };
    // The run's end state, with whatever a failed write left to send. If this write fails too,
    // the orchestration still completes with its output; the ledger then lags behind.
    const write = this.takeLedgerWrite();
    const after: Pending[] = [{ kind: "ledger", write, task: this.context.df.callActivityWithRetry(LEDGER_WRITE_ACTIVITY, LEDGER_RETRY, write) }];
    for (const name of final === "success" ? this.dag.callbacks.onSuccess : this.dag.callbacks.onFailure) {
      after.push({ kind: "callback", task: this.context.df.callActivity(CALLBACK_ACTIVITY, {
        name, dagId: this.dag.dagId, runId: this.input.runId, taskId: null, state: final, reason: this.failureReason,
      }) });
    }
    // Airflow's scheduler starts the next due run as soon as a slot frees, not at the next tick.
    if (this.input.runType === "scheduled") {
      after.push({ kind: "callback", task: this.context.df.callActivity(SCHEDULE_DUE_ACTIVITY, { dagId: this.dag.dagId }) });
    }
    yield* this.drain(after);
    if (!this.context.df.isReplaying) this.context.df.setCustomStatus(this.statusSummary());
    return { dagId: this.dag.dagId, runId: this.input.runId, state: final, reason: this.failureReason, tasks: this.summaries() };
  }

  /**
   * Waits for every given task to finish, failed ones included. Task.any, not Task.all: a failed
   * child must not throw here; and only over unfinished tasks, because a compound task over a
   * child that finished earlier would never resolve.
   */
  private *drain(items: Pending[]): Generator<Task, void, unknown> {
    let open = items;
    for (;;) {
      for (const p of open.filter((q) => isFinished(q.task))) {
        this.pending = this.pending.filter((q) => q !== p);
        if (p.kind === "ledger" && p.task.isFaulted) this.requeue(p.write);
      }
      open = open.filter((p) => !isFinished(p.task));
      if (!open.length) return;
      yield this.context.df.Task.any(open.map((p) => p.task));
    }
  }

  private applyReuse(): void {
    for (const [taskId, reused] of Object.entries(this.input.reuse ?? {})) {
      if (!this.task(taskId)) continue;
      if (reused.mapped && Array.isArray(reused.xcom)) {
        this.states[taskId] = reused.xcom.map(() => reused.state);
        this.xcoms[taskId] = reused.xcom;
        reused.xcom.forEach((x, i) => this.patchTask(taskId, i, reused.state, null, x));
      } else {
        this.states[taskId] = reused.state;
        this.xcoms[taskId] = reused.xcom;
        this.patchTask(taskId, -1, reused.state, null, reused.xcom);
      }
    }
  }

  // ---- starting tasks -------------------------------------------------------------------------

  private startTask(taskId: string): void {
    const task = this.task(taskId);
    if (task.mapping) {
      const expansion = expandMapping(task.mapping, (ref) => xcomListPlaceholders(this.xcomValue(ref.$xcom.taskId)));
      if (!expansion.ok) {
        this.states[taskId] = "failed";
        this.patchTask(taskId, -1, "failed", expansion.error);
        this.touched(taskId);
        return;
      }
      if (expansion.instances.length === 0) {
        this.states[taskId] = "skipped";
        this.patchTask(taskId, -1, "skipped", "Mapped over an empty list.");
        this.touched(taskId);
        return;
      }
      this.states[taskId] = expansion.instances.map(() => "scheduled");
      this.xcoms[taskId] = expansion.instances.map(() => null);
      expansion.instances.forEach((args, i) => this.startInstance(taskId, i, instanceConfig(task.config, args) as JsonValue));
      return;
    }
    this.startInstance(taskId, -1, task.config);
  }

  private startInstance(taskId: string, mapIndex: number, config: JsonValue): void {
    const task = this.task(taskId);
    const now = this.now();
    const inst: Instance = { taskId, mapIndex, config, tryNumber: 1, firstTryStartMs: now, currentTryStartMs: now, tryStartMs: now, pokeCount: 0, followUp: null, wokenDuringPoke: false };
    if (task.operator === EMPTY_OPERATOR) {
      this.finishInstance(inst, "success", null, null);
    } else if (task.operator === TIME_DELTA_SENSOR) {
      this.startTimeDelta(inst);
    } else {
      this.startAttempt(inst);
    }
  }

  /** Airflow's TimeDeltaSensor: succeed once data_interval_end + delta has passed. */
  private startTimeDelta(inst: Instance): void {
    const config = (this.task(inst.taskId).config ?? {}) as JsonObject;
    let delta: number;
    try {
      delta = parseDuration((config.delta ?? 0) as number | string);
    } catch (err) {
      this.finishInstance(inst, "failed", null, `time_delta_sensor: ${errorMessage(err)}`);
      return;
    }
    const target = parseInstant(this.input.dataIntervalEnd) + delta * 1000;
    this.setState(inst, "running");
    this.patch(inst, "running", null);
    if (target <= this.now()) {
      this.finishInstance(inst, "success", null, null);
      return;
    }
    this.pending.push({ kind: "wait", inst, task: this.context.df.createTimer(dateAt(target)), then: "succeed" });
  }

  private startAttempt(inst: Instance): void {
    const task = this.task(inst.taskId);
    inst.tryStartMs = this.now();
    this.tries[this.key(inst)] = inst.tryNumber;
    this.setState(inst, "running");
    const followUp = inst.followUp;
    const invocation: TaskInvocation = {
      dagId: this.dag.dagId,
      runId: this.input.runId,
      taskId: inst.taskId,
      mapIndex: inst.mapIndex,
      tryNumber: inst.tryNumber,
      maxTries: task.retry.retries + 1,
      operator: followUp ? followUp.operator : task.operator,
      mode: task.kind === "sensor" || followUp ? "poke" : "execute",
      config: followUp ? followUp.config : inst.config,
      run: {
        runType: this.input.runType,
        logicalDate: this.input.logicalDate,
        dataIntervalStart: this.input.dataIntervalStart,
        dataIntervalEnd: this.input.dataIntervalEnd,
        conf: this.input.conf,
      },
      dagParams: this.dag.params,
      taskParams: task.params,
      xcoms: selectXComs(this.dag, inst.config, (id) => this.xcomValue(id)),
      scheduledAt: airflowIso(inst.tryStartMs),
      executionTimeoutSeconds: task.executionTimeoutSeconds,
    };
    const attempt = this.context.df.callActivity(operatorActivityName(invocation.operator), invocation);
    let timeout: TimerTask | null = null;
    if (task.executionTimeoutSeconds !== null && this.timeoutSpansTry(inst)) {
      // One deadline for the whole try: its pokes, or the operator and the wait that follows it.
      if (!this.pending.some((p) => p.kind === "try_deadline" && p.inst === inst)) {
        const deadline = this.context.df.createTimer(dateAt(inst.currentTryStartMs + task.executionTimeoutSeconds * 1000));
        this.pending.push({ kind: "try_deadline", inst, task: deadline });
      }
    } else if (task.executionTimeoutSeconds !== null) {
      timeout = this.context.df.createTimer(dateAt(inst.tryStartMs + task.executionTimeoutSeconds * 1000));
      this.pending.push({ kind: "timeout", inst, task: timeout, attempt });
    }
    this.pending.push({ kind: "attempt", inst, task: attempt, timeout });
  }

  /**
   * Whether execution_timeout bounds the whole try rather than each activity call: a poke-mode
   * sensor (Airflow pokes inside one execution) and an operator that waits after its own work
   * (TriggerDagRun with wait_for_completion). A reschedule-mode poke is an execution of its own.
   */
  private timeoutSpansTry(inst: Instance): boolean {
    const sensor = this.task(inst.taskId).sensor;
    return inst.followUp !== null || (sensor !== null && sensor.mode === "poke");
  }

  /** Stops everything the instance is waiting on: the try is over (it finished, failed or timed out). */
  private dropInstanceWork(inst: Instance, keep?: Pending): void {
    for (const p of this.pending) {
      if (p === keep || !("inst" in p) || p.inst !== inst) continue;
      if ((p.kind === "wait" || p.kind === "timeout" || p.kind === "try_deadline") && !isFinished(p.task)) p.task.cancel();
    }
    // An attempt still running is abandoned: its late result is ignored, as nothing waits for it.
    this.pending = this.pending.filter((p) => p === keep || !("inst" in p) || p.inst !== inst);
  }

  // ---- completions ----------------------------------------------------------------------------

  private handle(done: Pending): void {
    switch (done.kind) {
      case "ledger":
        this.ledgerInFlight = false;
        // Retries are spent: keep the changes and send them with the next write.
        if (done.task.isFaulted) this.requeue(done.write);
        return;
      case "callback":
        return;
      case "timeout": {
        // The attempt ran past execution_timeout. Its activity cannot be cancelled; its late
        // result is ignored because the attempt is no longer pending.
        this.pending = this.pending.filter((p) => p.task !== done.attempt);
        const seconds = this.task(done.inst.taskId).executionTimeoutSeconds;
        this.onFailure(done.inst, `Timeout: the attempt ran longer than execution_timeout (${seconds} s).`);
        return;
      }
      case "wait":
        if (done.then === "succeed") this.finishInstance(done.inst, "success", null, null);
        else {
          if (done.then === "retry") {
            done.inst.tryNumber += 1;
            done.inst.currentTryStartMs = this.now();
          }
          this.startAttempt(done.inst);
        }
        return;
      case "attempt":
        if (done.timeout) {
          if (!isFinished(done.timeout)) done.timeout.cancel();
          this.pending = this.pending.filter((p) => p.task !== done.timeout);
        }
        if (done.task.isFaulted) this.onAttemptError(done.inst, errorMessage(done.task.result));
        else this.onAttemptResult(done.inst, done.task.result as TaskActivityResult);
        return;
      case "run_timeout":
        return;
      case "try_deadline": {
        const seconds = this.task(done.inst.taskId).executionTimeoutSeconds;
        this.dropInstanceWork(done.inst);
        this.onFailure(done.inst, `Timeout: the try ran longer than execution_timeout (${seconds} s).`);
        return;
      }
      case "past_poll":
        this.pending.push({
          kind: "past_refresh",
          task: this.context.df.callActivity(PREVIOUS_RUN_STATES_ACTIVITY, { dagId: this.dag.dagId, logicalDate: this.input.logicalDate }),
        });
        return;
      case "past_refresh":
        if (!done.task.isFaulted) this.previousRun = done.task.result as TaskStates | null;
        this.pastRefreshed = true;
        return;
      case "event": {
        // A blob trigger saw a matching blob: poke now instead of at the next interval.
        const waiting = this.pending.find((p) => p.kind === "wait" && p.inst === done.inst);
        if (!waiting) {
          // A poke is running; it may have looked before the blob landed.
          done.inst.wokenDuringPoke = true;
          return;
        }
        // Only the wait between pokes is cut short; a retry delay is kept whole.
        if (waiting.kind !== "wait" || waiting.then !== "poke") return;
        const timer = waiting;
        (timer.task as TimerTask).cancel();
        this.pending = this.pending.filter((p) => p !== timer);
        this.startAttempt(done.inst);
        return;
      }
    }
  }

  private onAttemptResult(inst: Instance, result: TaskActivityResult): void {
    const task = this.task(inst.taskId);
    if (result.outcome === "skipped") {
      this.finishInstance(inst, "skipped", null, result.reason);
    } else if (result.outcome === "poke") {
      if (result.done) this.finishInstance(inst, "success", inst.followUp ? inst.followUp.xcom : result.xcom, null);
      else this.pokeAgain(inst);
    } else if (result.followUp) {
      // The operator did its part and hands over to a check (TriggerDagRun waiting for its run).
      inst.followUp = { ...result.followUp, xcom: result.xcom };
      inst.pokeCount = 0;
      this.patch(inst, "running", null);
      this.startAttempt(inst);
    } else if (task.kind === "branch") {
      const decision = resolveBranch(this.dag, inst.taskId, result.xcom);
      if (!decision.ok) {
        this.onFailure(inst, decision.error);
        return;
      }
      this.finishInstance(inst, "success", result.xcom, null);
      const before = this.states;
      this.states = { ...(applyBranchSkips(before, decision.skip) as Record<string, TaskStateOrNone | TaskStateOrNone[]>) };
      for (const id of decision.skip) {
        if (before[id] !== undefined && before[id] !== null) continue;
        this.patchTask(id, -1, "skipped", null);
        this.touched(id);
      }
    } else {
      this.finishInstance(inst, "success", result.xcom, null);
    }
  }

  private onAttemptError(inst: Instance, message: string): void {
    const task = this.task(inst.taskId);
    if (task.sensor && !inst.followUp) {
      const outcome = sensorPokeErrorOutcome(task.sensor);
      if (outcome === "skipped") return this.finishInstance(inst, "skipped", null, message);
      if (outcome === "not_done") return this.pokeAgain(inst);
    }
    this.onFailure(inst, message);
  }

  /** A sensor (or a follow-up check) is not done yet: time out, or wait and poke again. */
  private pokeAgain(inst: Instance): void {
    const task = this.task(inst.taskId);
    inst.pokeCount += 1;
    const now = this.now();
    if (inst.followUp) {
      this.patch(inst, "running", null);
      this.pending.push({ kind: "wait", inst, task: this.context.df.createTimer(dateAt(now + inst.followUp.pokeIntervalSeconds * 1000)), then: "poke" });
      return;
    }
    const policy = task.sensor!;
    const elapsed = sensorElapsedSeconds(policy, { firstTryStartMs: inst.firstTryStartMs, tryStartMs: inst.currentTryStartMs, nowMs: now });
    if (sensorTimedOut(policy, elapsed)) {
      const state = sensorTimeoutState(policy);
      const message = `Sensor has timed out; run duration of ${elapsed} seconds exceeds the specified timeout of ${policy.timeoutSeconds}.`;
      // A timed-out sensor fails without retries, as in Airflow.
      this.finishInstance(inst, state, null, message);
      return;
    }
    const hash = sensorHashInput(this.dag.dagId, inst.taskId, airflowIso(inst.firstTryStartMs), inst.pokeCount);
    const wait = inst.wokenDuringPoke ? 0 : sensorNextPokeSeconds(policy, inst.pokeCount, elapsed, hash);
    inst.wokenDuringPoke = false;
    this.setState(inst, policy.mode === "reschedule" ? "up_for_reschedule" : "running");
    this.patch(inst, policy.mode === "reschedule" ? "up_for_reschedule" : "running", null);
    this.pending.push({ kind: "wait", inst, task: this.context.df.createTimer(dateAt(now + wait * 1000)), then: "poke" });
    if (EVENT_WOKEN_SENSORS.has(task.operator) && !this.pending.some((p) => p.kind === "event" && p.inst === inst)) {
      const event = this.context.df.waitForExternalEvent(blobSensorEventName(inst.taskId, inst.mapIndex));
      this.pending.push({ kind: "event", inst, task: event });
    }
  }

  private onFailure(inst: Instance, message: string): void {
    const task = this.task(inst.taskId);
    if (shouldRetry(task.retry, inst.tryNumber)) {
      const hash = retryHashInput(this.dag.dagId, inst.taskId, this.input.logicalDate, inst.tryNumber);
      const delay = retryDelaySeconds(task.retry, inst.tryNumber, hash);
      this.setState(inst, "up_for_retry");
      this.patch(inst, "up_for_retry", message);
      this.callbacks(task.callbacks.onRetry, inst, "up_for_retry", message);
      inst.followUp = null;
      this.dropInstanceWork(inst);
      this.pending.push({ kind: "wait", inst, task: this.context.df.createTimer(dateAt(this.now() + delay * 1000)), then: "retry" });
      return;
    }
    this.finishInstance(inst, "failed", null, message);
  }

  private finishInstance(inst: Instance, state: "success" | "failed" | "skipped", xcom: JsonValue, error: string | null): void {
    const task = this.task(inst.taskId);
    // A finished instance waits on nothing more (its try deadline, a sensor's event); a late
    // event is buffered by Durable and ignored.
    this.dropInstanceWork(inst);
    this.setState(inst, state);
    if (state === "success") {
      if (inst.mapIndex >= 0) (this.xcoms[inst.taskId] as JsonValue[])[inst.mapIndex] = xcom;
      else this.xcoms[inst.taskId] = xcom;
    }
    this.patch(inst, state, error, state === "success" ? xcom : undefined);
    this.touched(inst.taskId);
    this.checkSla(inst, task);
    if (state === "success") this.callbacks(task.callbacks.onSuccess, inst, state, null);
    if (state === "failed") this.callbacks(task.callbacks.onFailure, inst, state, error);
  }

  private callbacks(names: readonly string[], inst: Instance, state: string, reason: string | null): void {
    for (const name of names) {
      const task = this.context.df.callActivity(CALLBACK_ACTIVITY, {
        name, dagId: this.dag.dagId, runId: this.input.runId, taskId: inst.taskId, mapIndex: inst.mapIndex, state, reason,
      });
      this.pending.push({ kind: "callback", task });
    }
  }

  /**
   * Airflow's SLA: a task should finish by data_interval_end + sla. A late finish is recorded on
   * the task instance and logged as an SLA miss (what the alert rule in Azure watches for).
   */
  private checkSla(inst: Instance, task: CompiledTask): void {
    if (task.slaSeconds === null) return;
    const deadline = parseInstant(this.input.dataIntervalEnd) + task.slaSeconds * 1000;
    if (this.now() <= deadline) return;
    const last = this.ledgerBuffer[this.ledgerBuffer.length - 1];
    if (last && last.taskId === inst.taskId && last.mapIndex === inst.mapIndex) last.slaMissedDeadline = airflowIso(deadline);
  }

  /** dagrun_timeout: every unfinished task becomes SKIPPED and the run fails. */
  private timeOut(): void {
    const timedOut = timeOutRun(this.dag, this.states);
    this.states = { ...(timedOut.states as Record<string, TaskStateOrNone | TaskStateOrNone[]>) };
    for (const id of timedOut.skipped) this.patchTask(id, -1, "skipped", "dagrun_timeout");
    this.failureReason = `The run exceeded dagrun_timeout (${this.dag.dagrunTimeoutSeconds} s).`;
    // Waiting timers are cancelled; attempts still running are abandoned and their late results
    // ignored, because nothing waits for them any more.
    for (const p of this.pending) if (p.kind === "wait" || p.kind === "timeout" || p.kind === "try_deadline" || p.kind === "past_poll") p.task.cancel();
    this.pending = this.pending.filter((p) => p.kind === "ledger" || p.kind === "callback");
  }

  // ---- state, XCom and ledger bookkeeping -------------------------------------------------------

  /** A task's state changed: its downstreams are evaluated on the next turn. */
  private touched(taskId: string): void {
    for (const d of this.task(taskId).downstream) this.candidates.add(d);
  }

  private key(inst: { taskId: string; mapIndex: number }): string {
    return `${inst.taskId}#${inst.mapIndex}`;
  }

  private setState(inst: Instance, state: TaskStateOrNone): void {
    if (inst.mapIndex < 0) this.states[inst.taskId] = state;
    else {
      const list = [...(this.states[inst.taskId] as TaskStateOrNone[])];
      list[inst.mapIndex] = state;
      this.states[inst.taskId] = list;
    }
  }

  /** What downstream tasks see of a task's result: mapped results in map_index order, None omitted. */
  private xcomValue(taskId: string): JsonValue {
    const value = this.xcoms[taskId];
    if (value === undefined) return null;
    return Array.isArray(this.states[taskId]) ? (collectMappedResults(value as JsonValue[]) as JsonValue) : (value as JsonValue);
  }

  private patch(inst: Instance, state: string, error: string | null, xcom?: JsonValue): void {
    this.patchTask(inst.taskId, inst.mapIndex, state, error, xcom, this.tries[this.key(inst)] ?? inst.tryNumber);
  }

  private patchTask(taskId: string, mapIndex: number, state: string, error: string | null, xcom?: JsonValue, tryNumber?: number): void {
    const task = this.task(taskId);
    this.ledgerBuffer.push({
      taskId, mapIndex, state,
      tryNumber: tryNumber ?? this.tries[`${taskId}#${mapIndex}`] ?? 0,
      maxTries: task.retry.retries + 1,
      operator: task.operator,
      at: airflowIso(this.now()),
      // Instances that never ran an activity get start = end, as Airflow records skips.
      startedAt: this.tries[`${taskId}#${mapIndex}`] === undefined ? airflowIso(this.now()) : null,
      error,
      xcom: xcom === undefined ? null : JSON.stringify(xcom),
    });
  }

  private takeLedgerWrite(): LedgerWrite {
    const write: LedgerWrite = { dagId: this.dag.dagId, runId: this.input.runId, run: this.runStateToWrite, tasks: this.ledgerBuffer };
    this.ledgerBuffer = [];
    this.runStateToWrite = null;
    return write;
  }

  private requeue(write: LedgerWrite): void {
    this.ledgerBuffer = [...write.tasks, ...this.ledgerBuffer];
    this.runStateToWrite ??= write.run;
  }

  /** One bookkeeping write in flight at a time keeps the ledger's order the run's order. */
  private flushLedger(): void {
    if (this.ledgerInFlight || (!this.ledgerBuffer.length && !this.runStateToWrite)) return;
    this.ledgerInFlight = true;
    const write = this.takeLedgerWrite();
    this.pending.push({ kind: "ledger", task: this.context.df.callActivityWithRetry(LEDGER_WRITE_ACTIVITY, LEDGER_RETRY, write), write });
  }

  private summaries(): TaskInstanceSummary[] {
    const out: TaskInstanceSummary[] = [];
    for (const taskId of this.dag.taskOrder) {
      const entry = this.states[taskId];
      if (Array.isArray(entry)) entry.forEach((state, i) => out.push({ taskId, mapIndex: i, state, tryNumber: this.tries[`${taskId}#${i}`] ?? 0 }));
      else out.push({ taskId, mapIndex: -1, state: entry ?? null, tryNumber: this.tries[`${taskId}#-1`] ?? 0 });
    }
    return out;
  }

  private statusSummary(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const s of this.summaries()) counts[s.state ?? "none"] = (counts[s.state ?? "none"] ?? 0) + 1;
    return counts;
  }
}

/** The orchestration handler for one DAG; registered under the DAG id. */
export function dagOrchestrator(dag: CompiledDag): OrchestrationHandler {
  return function* (context: OrchestrationContext) {
    const input = context.df.getInput() as DagRunInput;
    if (!input || input.dagId !== dag.dagId) {
      throw new Error(`Orchestration '${dag.dagId}' was started with input for '${input?.dagId ?? "nothing"}'.`);
    }
    try {
      return yield* new DagRunExecution(dag, input, context).run();
    } catch (err) {
      // A bug or a broken input: the ledger must not show the run running forever (it would
      // also hold a max_active_runs slot). Best effort, then fail the orchestration.
      const write: LedgerWrite = {
        dagId: dag.dagId, runId: input.runId, tasks: [],
        run: { state: "failed", at: airflowIso(context.df.currentUtcDateTime.getTime()), instanceId: context.df.instanceId },
      };
      yield context.df.callActivity(LEDGER_WRITE_ACTIVITY, write);
      throw err;
    }
  };
}
