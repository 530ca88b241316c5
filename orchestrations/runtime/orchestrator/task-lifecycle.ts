import type { CompiledDag, CompiledTask } from "../model/compiled-dag";
import type { JsonObject, JsonValue } from "../model/json";
import { resolveBranch } from "../rules/branching";
import { expandMapping, instanceConfig } from "../rules/mapping";
import { retryDelaySeconds, retryHashInput, shouldRetry } from "../rules/retry";
import {
  sensorElapsedSeconds, sensorHashInput, sensorNextPokeSeconds, sensorPokeErrorOutcome, sensorTimedOut, sensorTimeoutState,
} from "../rules/sensor";
import { parseDuration } from "../time/duration";
import { airflowIso, parseInstant } from "../time/time";
import type { ActivityOutcome, DurableTurns } from "./durable-turns";
import type { Decision, LedgerOutbox } from "./ledger-outbox";
import type { DagRunInput } from "./run-input";
import type { RunState } from "./run-state";
import {
  blobSensorListener, CALLBACK_ACTIVITY, operatorActivityName, type ActivityEnvelope, type TaskActivityResult, type TaskInvocation,
} from "./task-invocation";
import { selectXComs, xcomListPlaceholders } from "./xcom-selection";

// One task instance's life in a DAG run, as Airflow's task instance and scheduler lead it: the
// attempt, retries after retry_delay, a sensor's pokes until done or timed out, an operator's
// follow-up check (TriggerDagRun waiting for its run), execution_timeout, a branch's decision,
// callbacks and the SLA. Waiting is a deadline in DurableTurns (no compute held); attempts and
// callbacks are activities; every state change goes to the ledger outbox.

const EMPTY_OPERATOR = "empty";
const TIME_DELTA_SENSOR = "time_delta_sensor";
/** Sensors a blob trigger can wake early (see functions/triggers/blob-sensor-trigger.ts). */
const EVENT_WOKEN_SENSORS = new Set(["blob_prefix_sensor"]);

interface FollowUp {
  operator: string;
  config: JsonValue;
  pokeIntervalSeconds: number;
  xcom: JsonValue;
  cancel?: { operator: string; config: JsonValue };
}

interface Instance {
  taskId: string;
  mapIndex: number;
  config: JsonValue;
  tryNumber: number;
  /** When the first try started: a reschedule-mode sensor's timeout counts from here. */
  firstTryStartMs: number;
  /** When the current try started: a poke-mode sensor's timeout counts from here. */
  currentTryStartMs: number;
  pokeCount: number;
  /** The token of the attempt in flight, or null. */
  attempt: string | null;
  /** What the instance waits for between attempts. */
  waiting: "poke" | "retry" | "time" | null;
  /** A blob trigger woke the sensor while a poke was running: poke again at once if not done. */
  wokenDuringPoke: boolean;
  followUp: FollowUp | null;
}

/** What the lifecycle needs from the run around it. */
export interface LifecycleHost {
  readonly dag: CompiledDag;
  readonly input: DagRunInput;
  readonly instanceId: string;
  readonly turns: DurableTurns;
  readonly state: RunState;
  readonly outbox: LedgerOutbox;
  /** When the run reaches dagrun_timeout, or null. */
  readonly runDeadlineMs: number | null;
  /**
   * Queues an activity whose input carries the pending ledger rows and the wake-up target.
   * `payload` is built only for an input really sent (not on replay); `summary` names the work.
   */
  call(name: string, payload: () => object, onDone: (outcome: ActivityOutcome) => void, summary?: object): string;
  /** An attempt stopped at dagrun_timeout: the run times out now. */
  interrupted(): void;
}

export function errorMessage(error: unknown): string {
  if (error && typeof error === "object" && "message" in error) {
    const message = String((error as { message: unknown }).message);
    // The extension records "Activity function 'x' failed: <message>" and the SDK appends the
    // details after " \n ": keep the cause only.
    return message.replace(/^Activity function '[^']*' failed:\s*/, "").split(/ \n |\n/)[0].trim();
  }
  return String(error);
}

export class TaskLifecycle {
  private readonly live = new Map<string, Instance>();

  constructor(private readonly run: LifecycleHost) {}

  /** No task instance is running or waiting (for a retry, a poke, a sensor's blob...). */
  get idle(): boolean {
    return this.live.size === 0;
  }

  private get dag(): CompiledDag {
    return this.run.dag;
  }

  private now(): number {
    return this.run.turns.now();
  }

  private task(taskId: string): CompiledTask {
    return this.dag.tasks[taskId];
  }

  private key(inst: { taskId: string; mapIndex: number }): string {
    return `${inst.taskId}#${inst.mapIndex}`;
  }

  // ---- starting ---------------------------------------------------------------------------

  start(taskId: string): void {
    const task = this.task(taskId);
    if (!task.mapping) return this.startInstance(taskId, -1, task.config);
    const expansion = expandMapping(task.mapping, (ref) => xcomListPlaceholders(this.run.state.xcomValue(ref.$xcom.taskId)));
    if (!expansion.ok) return this.decide(taskId, -1, "failed", { error: expansion.error });
    if (expansion.instances.length === 0) return this.decide(taskId, -1, "skipped", { error: "Mapped over an empty list." });
    this.run.state.expand(taskId, expansion.instances.length);
    expansion.instances.forEach((args, i) => this.startInstance(taskId, i, instanceConfig(task.config, args) as JsonValue));
  }

  private startInstance(taskId: string, mapIndex: number, config: JsonValue): void {
    const now = this.now();
    const inst: Instance = {
      taskId, mapIndex, config, tryNumber: 1, firstTryStartMs: now, currentTryStartMs: now, pokeCount: 0,
      attempt: null, waiting: null, wokenDuringPoke: false, followUp: null,
    };
    const operator = this.task(taskId).operator;
    if (operator === EMPTY_OPERATOR) return this.finish(inst, "success", null, null);
    this.live.set(this.key(inst), inst);
    if (operator === TIME_DELTA_SENSOR) this.startTimeDelta(inst);
    else this.startAttempt(inst);
  }

  /** Airflow's TimeDeltaSensor: succeed once data_interval_end + delta has passed. */
  private startTimeDelta(inst: Instance): void {
    const config = (this.task(inst.taskId).config ?? {}) as JsonObject;
    let delta: number;
    try {
      delta = parseDuration((config.delta ?? 0) as number | string);
    } catch (err) {
      return this.finish(inst, "failed", null, `time_delta_sensor: ${errorMessage(err)}`);
    }
    const target = parseInstant(this.run.input.dataIntervalEnd) + delta * 1000;
    this.record(inst, "running", null);
    if (target <= this.now()) return this.finish(inst, "success", null, null);
    inst.waiting = "time";
    this.run.turns.setDeadline(`wait:${this.key(inst)}`, target, () => this.finish(inst, "success", null, null));
  }

  private startAttempt(inst: Instance): void {
    const task = this.task(inst.taskId);
    const run = this.run;
    inst.waiting = null;
    run.state.setTry(inst.taskId, inst.mapIndex, inst.tryNumber);
    run.state.set(inst.taskId, inst.mapIndex, "running");
    const followUp = inst.followUp;
    const operator = followUp ? followUp.operator : task.operator;
    const version = run.outbox.reserveVersion();
    const scheduledAtMs = this.now();
    const invocation = (): Omit<TaskInvocation, keyof ActivityEnvelope> => ({
      dagId: this.dag.dagId,
      runId: run.input.runId,
      taskId: inst.taskId,
      mapIndex: inst.mapIndex,
      tryNumber: inst.tryNumber,
      maxTries: task.retry.retries + 1,
      operator,
      mode: task.kind === "sensor" || followUp ? "poke" : "execute",
      config: followUp ? followUp.config : inst.config,
      run: {
        runType: run.input.runType,
        logicalDate: run.input.logicalDate,
        dataIntervalStart: run.input.dataIntervalStart,
        dataIntervalEnd: run.input.dataIntervalEnd,
        conf: run.input.conf,
      },
      dagParams: this.dag.params,
      taskParams: task.params,
      xcoms: selectXComs(this.dag, inst.config, (id) => run.state.xcomValue(id)),
      scheduledAt: airflowIso(scheduledAtMs),
      // A try-long timeout (pokes, a follow-up wait) is the orchestrator's deadline below.
      executionTimeoutSeconds: this.timeoutSpansTry(inst) ? null : task.executionTimeoutSeconds,
      runDeadline: run.runDeadlineMs === null ? null : airflowIso(run.runDeadlineMs),
      version: version(),
    });
    const summary = { taskId: inst.taskId, mapIndex: inst.mapIndex, tryNumber: inst.tryNumber };
    const token = run.call(operatorActivityName(operator), invocation, (outcome) => this.onAttemptDone(inst, token, outcome), summary);
    inst.attempt = token;
    if (task.executionTimeoutSeconds !== null && this.timeoutSpansTry(inst)) {
      // One deadline for the whole try: its pokes, or the operator and the wait that follows it.
      const key = `try:${this.key(inst)}`;
      const at = inst.currentTryStartMs + task.executionTimeoutSeconds * 1000;
      run.turns.setDeadline(key, at, () => {
        this.dropWork(inst);
        this.onFailure(inst, `Timeout: the try ran longer than execution_timeout (${task.executionTimeoutSeconds} s).`);
      });
    }
  }

  /**
   * Whether execution_timeout bounds the whole try rather than one activity call: a poke-mode
   * sensor (Airflow pokes inside one execution) and an operator that waits after its own work
   * (TriggerDagRun with wait_for_completion). A reschedule-mode poke is an execution of its own.
   */
  private timeoutSpansTry(inst: Instance): boolean {
    const sensor = this.task(inst.taskId).sensor;
    return inst.followUp !== null || (sensor !== null && sensor.mode === "poke");
  }

  // ---- results ----------------------------------------------------------------------------

  private onAttemptDone(inst: Instance, token: string, outcome: ActivityOutcome): void {
    if (inst.attempt !== token) return; // abandoned: its late result is ignored
    inst.attempt = null;
    if (!outcome.ok) return this.onAttemptError(inst, errorMessage(outcome.error));
    const result = outcome.value as TaskActivityResult;
    if (result.outcome === "interrupted") return this.run.interrupted();
    this.onAttemptResult(inst, result);
  }

  private onAttemptResult(inst: Instance, result: TaskActivityResult): void {
    const task = this.task(inst.taskId);
    if (result.outcome === "skipped") return this.finish(inst, "skipped", null, result.reason);
    if (result.outcome === "poke") {
      if (result.done) return this.finish(inst, "success", inst.followUp ? inst.followUp.xcom : result.xcom, null);
      return this.pokeAgain(inst);
    }
    if (result.outcome !== "success") return;
    if (result.followUp) {
      // The operator did its part and hands over to a check (TriggerDagRun waiting for its run).
      inst.followUp = { ...result.followUp, xcom: result.xcom };
      inst.pokeCount = 0;
      this.record(inst, "running", null);
      return this.startAttempt(inst);
    }
    if (task.kind === "branch") {
      const decision = resolveBranch(this.dag, inst.taskId, result.xcom);
      if (!decision.ok) return this.onFailure(inst, decision.error);
      this.finish(inst, "success", result.xcom, null);
      for (const id of decision.skip) this.skipForBranch(id, inst.taskId);
      return;
    }
    this.finish(inst, "success", result.xcom, null);
  }

  private onAttemptError(inst: Instance, message: string): void {
    const task = this.task(inst.taskId);
    if (task.sensor && !inst.followUp) {
      const outcome = sensorPokeErrorOutcome(task.sensor);
      if (outcome === "skipped") return this.finish(inst, "skipped", null, message);
      if (outcome === "not_done") return this.pokeAgain(inst);
    }
    this.onFailure(inst, message);
  }

  /** A sensor (or a follow-up check) is not done yet: time out, or wait and poke again. */
  private pokeAgain(inst: Instance): void {
    const task = this.task(inst.taskId);
    const now = this.now();
    inst.pokeCount += 1;
    const waitKey = `wait:${this.key(inst)}`;
    if (inst.followUp) {
      this.record(inst, "running", null);
      inst.waiting = "poke";
      this.run.turns.setDeadline(waitKey, now + inst.followUp.pokeIntervalSeconds * 1000, () => this.startAttempt(inst));
      return;
    }
    const policy = task.sensor!;
    const elapsed = sensorElapsedSeconds(policy, { firstTryStartMs: inst.firstTryStartMs, tryStartMs: inst.currentTryStartMs, nowMs: now });
    if (sensorTimedOut(policy, elapsed)) {
      // A timed-out sensor fails without retries, as in Airflow.
      const message = `Sensor has timed out; run duration of ${elapsed} seconds exceeds the specified timeout of ${policy.timeoutSeconds}.`;
      return this.finish(inst, sensorTimeoutState(policy), null, message);
    }
    const hash = sensorHashInput(this.dag.dagId, inst.taskId, airflowIso(inst.firstTryStartMs), inst.pokeCount);
    const wait = inst.wokenDuringPoke ? 0 : sensorNextPokeSeconds(policy, inst.pokeCount, elapsed, hash);
    inst.wokenDuringPoke = false;
    const state = policy.mode === "reschedule" ? "up_for_reschedule" : "running";
    this.run.state.set(inst.taskId, inst.mapIndex, state);
    this.record(inst, state, null);
    inst.waiting = "poke";
    this.run.turns.setDeadline(waitKey, now + wait * 1000, () => this.startAttempt(inst));
    if (EVENT_WOKEN_SENSORS.has(task.operator)) this.run.turns.listen(blobSensorListener(inst.taskId, inst.mapIndex), () => this.onBlobWake(inst));
  }

  /** A blob trigger saw a matching blob: poke now instead of at the next interval. */
  private onBlobWake(inst: Instance): void {
    if (inst.attempt !== null) {
      // A poke is running; it may have looked before the blob landed.
      inst.wokenDuringPoke = true;
      return;
    }
    // Only the wait between pokes is cut short; a retry delay is kept whole.
    if (inst.waiting !== "poke") return;
    this.run.turns.clearDeadline(`wait:${this.key(inst)}`);
    this.startAttempt(inst);
  }

  private onFailure(inst: Instance, message: string): void {
    const task = this.task(inst.taskId);
    if (!shouldRetry(task.retry, inst.tryNumber)) return this.finish(inst, "failed", null, message);
    const hash = retryHashInput(this.dag.dagId, inst.taskId, this.run.input.logicalDate, inst.tryNumber);
    const delay = retryDelaySeconds(task.retry, inst.tryNumber, hash);
    this.dropWork(inst);
    this.live.set(this.key(inst), inst);
    this.run.state.set(inst.taskId, inst.mapIndex, "up_for_retry");
    this.record(inst, "up_for_retry", message);
    this.callbacks(task.callbacks.onRetry, inst, "up_for_retry", message);
    inst.followUp = null;
    inst.waiting = "retry";
    this.run.turns.setDeadline(`wait:${this.key(inst)}`, this.now() + delay * 1000, () => {
      inst.tryNumber += 1;
      inst.currentTryStartMs = this.now();
      this.startAttempt(inst);
    });
  }

  private finish(inst: Instance, state: "success" | "failed" | "skipped", xcom: JsonValue, error: string | null): void {
    const task = this.task(inst.taskId);
    // A finished instance waits on nothing more: its attempt, deadlines and wake-ups are dropped.
    this.dropWork(inst);
    const run = this.run;
    run.state.set(inst.taskId, inst.mapIndex, state);
    if (state === "success") run.state.setXCom(inst.taskId, inst.mapIndex, xcom);
    const decision = this.record(inst, state, error, state === "success" ? xcom : undefined);
    if (task.slaSeconds !== null) {
      // Airflow's SLA: done by data_interval_end + sla; a late finish is recorded as a miss.
      const deadline = parseInstant(run.input.dataIntervalEnd) + task.slaSeconds * 1000;
      if (this.now() > deadline) decision.slaMissedDeadlineMs = deadline;
    }
    run.state.touched(inst.taskId);
    if (state === "success") this.callbacks(task.callbacks.onSuccess, inst, state, null);
    if (state === "failed") this.callbacks(task.callbacks.onFailure, inst, state, error);
  }

  /** A state the orchestrator decides without an attempt (upstream_failed, skips, expansion errors). */
  decide(taskId: string, mapIndex: number, state: "skipped" | "upstream_failed" | "failed", extra: { error?: string; note?: string; cascaded?: boolean } = {}): void {
    this.run.state.set(taskId, mapIndex, state);
    this.run.outbox.task({ taskId, mapIndex, state, tryNumber: this.run.state.tryOf(taskId, mapIndex) ?? 0, startedAtMs: this.now(), error: extra.error ?? null, ...(extra.note ? { note: extra.note } : {}) });
    // The scheduling step already carried its own decisions down the graph.
    if (!extra.cascaded) this.run.state.touched(taskId);
  }

  /**
   * Airflow's SkipMixin: a direct downstream the branch does not follow becomes SKIPPED whatever
   * state it had: one still running is stopped (its late result ignored), a finished one loses
   * its result, and its own downstreams are evaluated again.
   */
  private skipForBranch(taskId: string, branchId: string): void {
    const entry = this.run.state.states[taskId];
    const indexes = Array.isArray(entry) ? entry.map((_, i) => i) : [-1];
    for (const i of indexes) {
      const before = this.run.state.get(taskId, i);
      if (before === "skipped") continue;
      const inst = this.live.get(`${taskId}#${i}`);
      if (inst) this.dropWork(inst);
      if (before === "success") this.run.state.dropXCom(taskId, i);
      const note = before === null ? `Skipped by branch '${branchId}'.` : `Skipped by branch '${branchId}', which decided after this task was ${before}.`;
      this.decide(taskId, i, "skipped", { note });
    }
  }

  /** dagrun_timeout: every instance still in progress is dropped (its attempt's result ignored). */
  dropAll(): void {
    for (const inst of [...this.live.values()]) this.dropWork(inst);
  }

  // ---- work and bookkeeping ----------------------------------------------------------------

  /** Stops everything the instance waits on: its attempt, deadlines, wake-ups; cancels a follow-up's job. */
  private dropWork(inst: Instance): void {
    const key = this.key(inst);
    const turns = this.run.turns;
    if (inst.attempt !== null) turns.abandon(inst.attempt);
    if (inst.followUp?.cancel && (inst.attempt !== null || inst.waiting === "poke")) {
      // The operator started something outside (a Spark job): ask for it to be cancelled.
      const cancel = inst.followUp.cancel;
      const invocation = this.cancelInvocation(inst, cancel);
      this.run.call(operatorActivityName(cancel.operator), () => invocation, () => undefined);
    }
    inst.attempt = null;
    inst.waiting = null;
    turns.clearDeadline(`wait:${key}`);
    turns.clearDeadline(`try:${key}`);
    turns.unlisten(blobSensorListener(inst.taskId, inst.mapIndex));
    this.live.delete(key);
  }

  private cancelInvocation(inst: Instance, cancel: { operator: string; config: JsonValue }): Omit<TaskInvocation, keyof ActivityEnvelope> {
    const run = this.run;
    return {
      dagId: this.dag.dagId, runId: run.input.runId, taskId: inst.taskId, mapIndex: inst.mapIndex, tryNumber: inst.tryNumber,
      maxTries: this.task(inst.taskId).retry.retries + 1, operator: cancel.operator, mode: "execute", config: cancel.config,
      run: { runType: run.input.runType, logicalDate: run.input.logicalDate, dataIntervalStart: run.input.dataIntervalStart, dataIntervalEnd: run.input.dataIntervalEnd, conf: run.input.conf },
      dagParams: this.dag.params, taskParams: {}, xcoms: {}, scheduledAt: airflowIso(this.now()), executionTimeoutSeconds: null, runDeadline: null,
      version: run.outbox.nextVersion(), record: false,
    };
  }

  private record(inst: Instance, state: string, error: string | null, xcom?: JsonValue): Decision {
    const tried = this.run.state.tryOf(inst.taskId, inst.mapIndex);
    return this.run.outbox.task({
      taskId: inst.taskId, mapIndex: inst.mapIndex, state, tryNumber: tried ?? inst.tryNumber,
      // Instances that never ran an attempt get start = end, as Airflow records skips.
      startedAtMs: tried === undefined ? this.now() : null,
      error, ...(xcom === undefined ? {} : { xcom }),
    });
  }

  private callbacks(names: readonly string[], inst: Instance, state: string, reason: string | null): void {
    for (const name of names) {
      const payload = { name, dagId: this.dag.dagId, runId: this.run.input.runId, taskId: inst.taskId, mapIndex: inst.mapIndex, state, reason };
      this.run.call(CALLBACK_ACTIVITY, () => payload, () => undefined);
    }
  }
}
