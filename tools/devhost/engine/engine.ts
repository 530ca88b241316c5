// The Durable engine: keeps each instance's history, runs orchestrator episodes through the
// SDK's replay, and performs the work the SDK is waiting on (activities, timers,
// sub-orchestrations, retries), feeding completions back as history events.
import { randomUUID } from "node:crypto";
import { invokeFunction, type LogSink } from "../invoke";
import type { FunctionRegistry, RegisteredFunction } from "../registry";
import { ActivityRunner } from "./activity-runner";
import { RealClock, VirtualClock, type Clock } from "./clock";
import { completedIds, events, EventType, failureDetailsOf, type FailureDetails, type HistoryEvent } from "./history";
import { isTerminal, MemoryInstanceStore, type InstanceRecord, type InstanceStore, type RuntimeStatus } from "./instance-store";
import { buildPayload, runEpisode, type EpisodeOutcome } from "./orchestration-runner";
import { checkReplay } from "./replay-check";
import { retryDelayMs } from "./retry";
import { assertSupportedSdk, awaitedEvents, describeAction, openWork, orphanedCompletionIds, type OpenWork, type RetryInfo } from "./sdk-table";

export type EngineMode = "test" | "host";

export interface EngineOptions {
  registry: FunctionRegistry;
  /** test: virtual clock with time skipping and a determinism check; host: real clock. */
  mode: EngineMode;
  /** Where instances persist; memory by default. */
  store?: InstanceStore;
  clock?: Clock;
  /** App root, to check the durable-functions version the app loaded. */
  appRoot?: string;
  maxConcurrentActivityFunctions?: number;
  functionTimeoutMs?: number;
  log?: LogSink;
  /** Value for durableClient input bindings of activities (set by the host's client API). */
  durableClientData?: () => unknown;
  /** Test mode: how long nothing may happen before waitForCompletion reports a stall. */
  stallTimeoutMs?: number;
}

export interface InstanceQuery {
  name?: string;
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
}

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  createdTime: Date;
  lastUpdatedTime: Date;
  failure?: FailureDetails;
  /** Present when asked for with showHistory. */
  history?: HistoryEvent[];
}

/** HTTP-mappable errors for the client API (404 / 409 / 410). */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly code: "NotFound" | "Conflict" | "Gone" | "BadRequest",
  ) {
    super(message);
    this.name = "EngineError";
  }
}

interface ActivityJob {
  instanceId: string;
  executionId: string;
  taskId: number;
  fn: RegisteredFunction;
  input: unknown;
}

interface PendingTimer {
  instanceId: string;
  executionId: string;
  timerId: number;
  fireAt: Date;
  handle?: NodeJS.Timeout;
}

/** Per-instance state that is rebuilt from history, never persisted. */
interface InstanceRuntime {
  /** Ids for which a TaskScheduled / TimerCreated / SubOrchestrationInstanceCreated is in history. */
  scheduled: Set<number>;
  /** Test mode: describeAction() of each action in first-seen order, for the replay check. */
  actions: string[];
  awaitedEvents: string[];
}

interface Waiter {
  resolve: (s: InstanceStatus) => void;
  reject: (e: Error) => void;
}

const MAX_TIMEOUT_MS = 2_147_483_647;

export class DurableEngine {
  readonly clock: Clock;
  readonly mode: EngineMode;
  private readonly registry: FunctionRegistry;
  private readonly store: InstanceStore;
  private readonly log?: LogSink;
  private readonly functionTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly runtimes = new Map<string, InstanceRuntime>();
  private readonly timers = new Map<string, PendingTimer>();
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly activities: ActivityRunner<ActivityJob>;
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private drainScheduled = false;
  private draining = false;
  private idleCheckScheduled = false;
  private closed = false;
  private durableClientData?: () => unknown;

  constructor(options: EngineOptions) {
    this.mode = options.mode;
    this.registry = options.registry;
    this.store = options.store ?? new MemoryInstanceStore();
    this.clock = options.clock ?? (options.mode === "test" ? new VirtualClock() : new RealClock());
    this.log = options.log;
    this.functionTimeoutMs = options.functionTimeoutMs ?? 5 * 60_000;
    this.stallTimeoutMs = options.stallTimeoutMs ?? 3000;
    this.durableClientData = options.durableClientData;
    if (options.appRoot) assertSupportedSdk(options.appRoot);
    this.activities = new ActivityRunner(options.maxConcurrentActivityFunctions ?? 10, (job) => this.runActivity(job), () => this.scheduleIdleCheck());
  }

  /** Lets the client API, once listening, hand its URLs to activities with a durableClient input. */
  setDurableClientData(provider: () => unknown): void {
    this.durableClientData = provider;
  }

  // ---------------------------------------------------------------- public API

  /** Starts `name`; rejects unknown orchestrations and ids of instances still running. */
  async start(name: string, input?: unknown, instanceId?: string): Promise<string> {
    const fn = this.registry.require(name, "orchestrationTrigger");
    const id = instanceId ?? randomUUID().replace(/-/g, "");
    const existing = this.instances.get(id);
    if (existing && !isTerminal(existing.status)) throw new EngineError(`An instance with ID '${id}' already exists and is ${existing.status}.`, "Conflict");
    this.createInstance(fn.name, id, input);
    return id;
  }

  getStatus(instanceId: string, opts: { showHistory?: boolean } = {}): InstanceStatus | undefined {
    const rec = this.instances.get(instanceId);
    return rec ? this.statusOf(rec, opts.showHistory) : undefined;
  }

  list(query: InstanceQuery = {}): InstanceStatus[] {
    return [...this.instances.values()].filter((r) => matches(r, query)).map((r) => this.statusOf(r, false));
  }

  async raiseEvent(instanceId: string, eventName: string, data?: unknown): Promise<void> {
    const rec = this.requireInstance(instanceId);
    if (isTerminal(rec.status)) throw new EngineError(`Instance '${instanceId}' is ${rec.status}; it no longer accepts events.`, "Gone");
    this.enqueue(rec, events.eventRaised(this.clock.now(), eventName, data));
  }

  async terminate(instanceId: string, reason = ""): Promise<void> {
    const rec = this.requireInstance(instanceId);
    if (isTerminal(rec.status)) throw new EngineError(`Instance '${instanceId}' is already ${rec.status}.`, "Gone");
    this.enqueue(rec, events.executionTerminated(this.clock.now(), reason));
  }

  /** Deletes a finished instance and its history; false when it does not exist or still runs. */
  purge(instanceId: string): boolean {
    const rec = this.instances.get(instanceId);
    if (!rec || !isTerminal(rec.status)) return false;
    this.instances.delete(instanceId);
    this.runtimes.delete(instanceId);
    this.store.delete(instanceId);
    return true;
  }

  purgeBy(query: InstanceQuery): number {
    let n = 0;
    for (const rec of [...this.instances.values()]) if (matches(rec, query) && this.purge(rec.instanceId)) n++;
    return n;
  }

  /**
   * Resolves with the final status (Completed, Failed or Terminated). In test mode, waiting is
   * what lets virtual time skip ahead to the next timer, and a run that cannot make progress
   * (e.g. waiting for an event nobody raises) is reported instead of hanging.
   */
  waitForCompletion(instanceId: string, opts: { timeoutMs?: number } = {}): Promise<InstanceStatus> {
    const rec = this.requireInstance(instanceId);
    if (isTerminal(rec.status)) return Promise.resolve(this.statusOf(rec, false));
    return new Promise<InstanceStatus>((resolve, reject) => {
      const cleanups: (() => void)[] = [];
      const done = (fn: () => void) => {
        cleanups.forEach((c) => c());
        fn();
      };
      const waiter: Waiter = { resolve: (s) => done(() => resolve(s)), reject: (e) => done(() => reject(e)) };
      const list = this.waiters.get(instanceId) ?? [];
      list.push(waiter);
      this.waiters.set(instanceId, list);
      cleanups.push(() => {
        const l = this.waiters.get(instanceId) ?? [];
        l.splice(l.indexOf(waiter), 1);
        if (l.length === 0) this.waiters.delete(instanceId);
      });
      if (opts.timeoutMs !== undefined) {
        const t = setTimeout(() => waiter.reject(new Error(`Instance '${instanceId}' did not finish within ${opts.timeoutMs} ms (status ${this.instances.get(instanceId)?.status}).`)), opts.timeoutMs);
        cleanups.push(() => clearTimeout(t));
      }
      if (this.clock.canSkip) {
        let idleSince: number | undefined;
        const stall = setInterval(() => {
          if (!this.isIdle() || this.timers.size > 0) return void (idleSince = undefined);
          idleSince ??= Date.now();
          if (Date.now() - idleSince < this.stallTimeoutMs) return;
          const waiting = [...this.runtimes.entries()].filter(([, r]) => r.awaitedEvents.length).map(([id, r]) => `${id} waits for ${r.awaitedEvents.map((e) => `'${e}'`).join(", ")}`);
          waiter.reject(new Error(`Instance '${instanceId}' cannot make progress: nothing is running and no timer is pending${waiting.length ? ` (${waiting.join("; ")})` : ""}.`));
        }, 100);
        cleanups.push(() => clearInterval(stall));
      }
      this.scheduleIdleCheck();
    });
  }

  /** Test mode: moves virtual time forward by `ms`, firing the timers that fall due. */
  advanceTime(ms: number): void {
    if (!this.clock.canSkip) throw new Error("advanceTime needs the virtual clock (test mode).");
    this.clock.skipTo(new Date(this.clock.now().getTime() + ms));
    this.fireDueTimers();
  }

  /** Loads persisted instances and carries on with their outstanding work (host restart). */
  resume(): number {
    let resumed = 0;
    for (const rec of this.store.loadAll()) {
      this.instances.set(rec.instanceId, rec);
      if (isTerminal(rec.status)) continue;
      resumed++;
      const rt = this.runtimeOf(rec);
      for (const e of rec.history) if (isSchedulingEvent(e)) rt.scheduled.add(e.EventId);
      const done = completedIds([...rec.history, ...rec.inbox]);
      for (const e of rec.history) {
        if (!isSchedulingEvent(e) || done.has(e.EventId)) continue;
        if (e.EventType === EventType.TaskScheduled) this.dispatchActivity(rec, e.EventId, e.Name ?? "", e.Input === undefined ? undefined : JSON.parse(e.Input));
        else if (e.EventType === EventType.TimerCreated) this.armTimer(rec, e.EventId, new Date(e.FireAt as Date));
        else if (e.EventType === EventType.SubOrchestrationInstanceCreated) this.resumeChildLink(rec, e);
      }
      if (rec.inbox.length) this.kick(rec.instanceId);
    }
    return resumed;
  }

  /** Stops timers and drops waiters; running activities finish but their results are ignored. */
  async close(): Promise<void> {
    this.closed = true;
    for (const t of this.timers.values()) clearTimeout(t.handle);
    this.timers.clear();
    for (const [id, list] of this.waiters) for (const w of [...list]) w.reject(new Error(`Engine closed while waiting for '${id}'.`));
  }

  // ---------------------------------------------------------------- instances and inbox

  private createInstance(name: string, instanceId: string, input: unknown, parent?: InstanceRecord["parent"], parentName?: string): InstanceRecord {
    const now = this.clock.now();
    const executionId = randomUUID().replace(/-/g, "");
    const wireInput = input === undefined ? undefined : (JSON.parse(JSON.stringify(input)) as unknown);
    const parentInstance = parent ? { OrchestrationInstance: { InstanceId: parent.instanceId }, TaskScheduleId: parent.taskId, Name: parentName ?? "" } : undefined;
    const rec: InstanceRecord = {
      instanceId,
      name,
      executionId,
      status: "Pending",
      input: wireInput,
      output: undefined,
      customStatus: undefined,
      createdTime: now,
      lastUpdatedTime: now,
      parent,
      history: [],
      inbox: [events.executionStarted(now, name, wireInput, instanceId, executionId, parentInstance)],
    };
    this.instances.set(instanceId, rec);
    this.runtimes.set(instanceId, { scheduled: new Set(), actions: [], awaitedEvents: [] });
    this.store.save(rec);
    this.kick(instanceId);
    return rec;
  }

  private requireInstance(instanceId: string): InstanceRecord {
    const rec = this.instances.get(instanceId);
    if (!rec) throw new EngineError(`No instance with ID '${instanceId}' found.`, "NotFound");
    return rec;
  }

  private runtimeOf(rec: InstanceRecord): InstanceRuntime {
    let rt = this.runtimes.get(rec.instanceId);
    if (!rt) this.runtimes.set(rec.instanceId, (rt = { scheduled: new Set(), actions: [], awaitedEvents: [] }));
    return rt;
  }

  /** Queues an event for the instance's next episode; persisted before anything acts on it. */
  private enqueue(rec: InstanceRecord, event: HistoryEvent): void {
    rec.inbox.push(event);
    this.store.save(rec);
    this.kick(rec.instanceId);
  }

  /** Delivers a completion for one execution; stale ones (finished, continued-as-new) are dropped. */
  private deliver(instanceId: string, executionId: string, event: HistoryEvent): void {
    if (this.closed) return;
    const rec = this.instances.get(instanceId);
    if (!rec || rec.executionId !== executionId || isTerminal(rec.status)) return;
    this.enqueue(rec, event);
  }

  private kick(instanceId: string): void {
    if (!this.readySet.has(instanceId)) {
      this.readySet.add(instanceId);
      this.ready.push(instanceId);
    }
    if (this.drainScheduled || this.draining || this.closed) return;
    this.drainScheduled = true;
    // setImmediate, not a microtask: completions that arrive together (a fan-out of quick
    // activities) land in the inbox first and are replayed in one episode.
    setImmediate(() => void this.drain());
  }

  private async drain(): Promise<void> {
    this.drainScheduled = false;
    this.draining = true;
    try {
      while (this.ready.length && !this.closed) {
        const id = this.ready.shift() as string;
        this.readySet.delete(id);
        try {
          await this.runInstance(id);
        } catch (err) {
          this.failInstance(id, { ErrorType: "DevhostInternalError", ErrorMessage: `azflow devhost could not run instance '${id}': ${(err as Error).message}`, StackTrace: (err as Error).stack });
        }
      }
    } finally {
      this.draining = false;
    }
    this.scheduleIdleCheck();
  }

  // ---------------------------------------------------------------- episodes

  private async runInstance(instanceId: string): Promise<void> {
    const rec = this.instances.get(instanceId);
    if (!rec || rec.inbox.length === 0) return;
    if (isTerminal(rec.status)) {
      rec.inbox = [];
      this.store.save(rec);
      return;
    }
    const fn = this.registry.require(rec.name, "orchestrationTrigger");
    const rt = this.runtimeOf(rec);
    const now = this.clock.now();
    const incoming = rec.inbox;
    rec.inbox = [];

    const termination = incoming.find((e) => e.EventType === EventType.ExecutionTerminated);
    if (termination) {
      const reason = termination.Input ? (JSON.parse(termination.Input) as unknown) : "";
      rec.history.push(events.orchestratorStarted(now), termination, events.executionCompleted(now, "Terminated", reason));
      this.finish(rec, "Terminated", reason);
      return;
    }

    const started = events.orchestratorStarted(now);
    rec.history.push(started, ...incoming);
    rec.status = "Running";
    const outcome = await runEpisode(fn, buildPayload(rec.instanceId, rec.input, rec.history, rec.parent?.instanceId), this.log);
    // Everything up to here has now been seen by the orchestrator: later episodes replay it.
    started.IsPlayed = true;
    for (const e of incoming) e.IsPlayed = true;
    if (this.mode === "test") for (let i = rt.actions.length; i < outcome.actions.length; i++) rt.actions.push(describeAction(outcome.actions[i]));
    if (outcome.customStatus !== undefined) rec.customStatus = outcome.customStatus;

    if (outcome.kind === "running") {
      const orphans = orphanedCompletionIds(outcome.executor);
      if (orphans.length) throw new Error(`completion event(s) for task id(s) ${orphans.join(", ")} match no task the orchestrator scheduled: a runtime id bug.`);
      rt.awaitedEvents = awaitedEvents(outcome.executor);
      const newWork = openWork(outcome.executor).filter((w) => !rt.scheduled.has(w.id));
      const unsupported = newWork.find((w) => w.kind === "unsupported");
      if (unsupported && unsupported.kind === "unsupported") {
        this.endExecution(rec, fn, outcome, { ErrorType: "NotSupportedError", ErrorMessage: `${unsupported.what} is not supported by the azflow local runtime (task #${unsupported.id}).` });
        return;
      }
      const dispatches = newWork.map((w) => this.schedule(rec, w, now));
      rec.history.push(events.orchestratorCompleted(now));
      rec.lastUpdatedTime = now;
      // Persist the scheduling events before starting any work, so a crash cannot start an
      // activity that the stored history does not know about.
      this.store.save(rec);
      for (const go of dispatches) go();
      return;
    }
    rec.history.push(events.orchestratorCompleted(now));
    await this.endExecutionChecked(rec, fn, outcome);
  }

  /** Records the scheduling event for `work` now; returns the step that starts it after saving. */
  private schedule(rec: InstanceRecord, work: OpenWork, now: Date): () => void {
    const rt = this.runtimeOf(rec);
    rt.scheduled.add(work.id);
    switch (work.kind) {
      case "activity": {
        const e: HistoryEvent & { RetryOf?: number } = events.taskScheduled(now, work.id, work.name, work.input);
        if (work.retry) e.RetryOf = work.retry.firstAttemptId;
        rec.history.push(e);
        const exhausted = work.retry && this.exhaustedRetryFailure(rec, work.retry);
        if (exhausted) return () => this.deliver(rec.instanceId, rec.executionId, events.taskFailed(this.clock.now(), work.id, exhausted));
        return () => this.dispatchActivity(rec, work.id, work.name, work.input);
      }
      case "subOrchestration": {
        const childId = work.instanceId ?? `${rec.instanceId}:${work.id}`;
        const e: HistoryEvent & { RetryOf?: number } = events.subOrchestrationCreated(now, work.id, work.name, childId, work.input);
        if (work.retry) e.RetryOf = work.retry.firstAttemptId;
        rec.history.push(e);
        const exhausted = work.retry && this.exhaustedRetryFailure(rec, work.retry);
        if (exhausted) return () => this.deliver(rec.instanceId, rec.executionId, events.subOrchestrationFailed(this.clock.now(), work.id, exhausted));
        return () => this.startChild(rec, work.id, work.name, childId, work.input);
      }
      case "timer":
        rec.history.push(events.timerCreated(now, work.id, work.fireAt));
        return () => this.armTimer(rec, work.id, work.fireAt);
      case "retryTimer": {
        const first = rec.history.find((e) => e.EventId === work.retry.firstAttemptId && isSchedulingEvent(e));
        const delay = retryDelayMs(work.retry.policy, work.retry.attempt, first?.Timestamp ?? now, now);
        // Past retryTimeout: fire at once and mark the group, so the attempt the SDK asks for
        // next fails with the last error instead of running.
        const fireAt = new Date(now.getTime() + (delay ?? 0));
        const e: HistoryEvent & { RetryOf?: number; RetryExhausted?: boolean } = events.timerCreated(now, work.id, fireAt);
        e.RetryOf = work.retry.firstAttemptId;
        if (delay === undefined) e.RetryExhausted = true;
        rec.history.push(e);
        return () => this.armTimer(rec, work.id, fireAt);
      }
      default:
        throw new Error(`unexpected work ${JSON.stringify(work)}`);
    }
  }

  /** The last failure of a retry group whose retryTimeout expired, else undefined. */
  private exhaustedRetryFailure(rec: InstanceRecord, retry: RetryInfo): FailureDetails | undefined {
    type Tagged = HistoryEvent & { RetryOf?: number; RetryExhausted?: boolean };
    const history = rec.history as Tagged[];
    if (!history.some((e) => e.RetryExhausted && e.RetryOf === retry.firstAttemptId)) return undefined;
    const attempts = new Set(history.filter((e) => isSchedulingEvent(e) && (e.EventId === retry.firstAttemptId || e.RetryOf === retry.firstAttemptId)).map((e) => e.EventId));
    for (let i = history.length - 1; i >= 0; i--) {
      const e = history[i];
      if (e.FailureDetails && e.TaskScheduledId !== undefined && attempts.has(e.TaskScheduledId)) return e.FailureDetails;
    }
    return { ErrorType: "Error", ErrorMessage: "retry timeout expired" };
  }

  private async endExecutionChecked(rec: InstanceRecord, fn: RegisteredFunction, outcome: EpisodeOutcome): Promise<void> {
    if (this.mode === "test" && outcome.kind !== "running") {
      const rt = this.runtimeOf(rec);
      const problem = await checkReplay(fn, { instanceId: rec.instanceId, input: rec.input, parentInstanceId: rec.parent?.instanceId, history: rec.history, actions: rt.actions, outcome }, this.log);
      if (problem) {
        this.endExecution(rec, fn, outcome, { ErrorType: "NonDeterministicOrchestrationException", ErrorMessage: problem });
        return;
      }
    }
    this.endExecution(rec, fn, outcome);
  }

  private endExecution(rec: InstanceRecord, fn: RegisteredFunction, outcome: EpisodeOutcome, override?: FailureDetails): void {
    const now = this.clock.now();
    if (override || outcome.kind === "failed") {
      const failure = override ?? (outcome.kind === "failed" ? outcome.failure : undefined) as FailureDetails;
      const message = `Orchestrator function '${fn.name}' failed: ${failure.ErrorMessage}`;
      rec.failure = failure;
      rec.history.push(events.executionCompleted(now, "Failed", message, failure));
      this.finish(rec, "Failed", message);
    } else if (outcome.kind === "continuedAsNew") {
      // A new execution of the same instance: fresh history, the new input, and any events that
      // arrived meanwhile. Work still outstanding for the old execution is dropped on delivery.
      this.clearTimers(rec.instanceId);
      rec.executionId = randomUUID().replace(/-/g, "");
      rec.input = outcome.input;
      rec.history = [];
      rec.inbox = [events.executionStarted(now, rec.name, outcome.input, rec.instanceId, rec.executionId), ...rec.inbox];
      rec.status = "Running";
      rec.lastUpdatedTime = now;
      this.runtimes.set(rec.instanceId, { scheduled: new Set(), actions: [], awaitedEvents: [] });
      this.store.save(rec);
      this.kick(rec.instanceId);
    } else if (outcome.kind === "completed") {
      rec.history.push(events.executionCompleted(now, "Completed", outcome.output));
      this.finish(rec, "Completed", outcome.output === undefined ? undefined : JSON.parse(JSON.stringify(outcome.output)));
    }
  }

  private failInstance(instanceId: string, failure: FailureDetails): void {
    const rec = this.instances.get(instanceId);
    if (!rec || isTerminal(rec.status)) return;
    const message = `Orchestrator function '${rec.name}' failed: ${failure.ErrorMessage}`;
    rec.failure = failure;
    rec.history.push(events.executionCompleted(this.clock.now(), "Failed", message, failure));
    this.finish(rec, "Failed", message);
  }

  private finish(rec: InstanceRecord, status: RuntimeStatus, output: unknown): void {
    rec.status = status;
    rec.output = output;
    rec.lastUpdatedTime = this.clock.now();
    rec.inbox = [];
    this.clearTimers(rec.instanceId);
    const rt = this.runtimes.get(rec.instanceId);
    if (rt) rt.awaitedEvents = [];
    this.store.save(rec);
    if (rec.parent) {
      const { instanceId, executionId, taskId } = rec.parent;
      const at = this.clock.now();
      if (status === "Completed") this.deliver(instanceId, executionId, events.subOrchestrationCompleted(at, taskId, output));
      else this.deliver(instanceId, executionId, events.subOrchestrationFailed(at, taskId, rec.failure ?? { ErrorType: "Error", ErrorMessage: `Sub-orchestration '${rec.instanceId}' was ${status}: ${String(output)}` }));
    }
    const status_ = this.statusOf(rec, false);
    for (const w of [...(this.waiters.get(rec.instanceId) ?? [])]) w.resolve(status_);
  }

  // ---------------------------------------------------------------- work

  private dispatchActivity(rec: InstanceRecord, taskId: number, name: string, input: unknown): void {
    let fn: RegisteredFunction;
    try {
      fn = this.registry.require(name, "activityTrigger");
    } catch (err) {
      // Like the host: an unknown activity fails the task (the orchestrator may catch it).
      this.deliver(rec.instanceId, rec.executionId, events.taskFailed(this.clock.now(), taskId, failureDetailsOf(err)));
      return;
    }
    this.activities.enqueue({ instanceId: rec.instanceId, executionId: rec.executionId, taskId, fn, input });
  }

  private async runActivity(job: ActivityJob): Promise<void> {
    if (this.closed) return;
    let event: HistoryEvent;
    try {
      const { result } = await invokeFunction(job.fn, job.input, {
        timeoutMs: this.functionTimeoutMs,
        log: this.log,
        extraInputsByType: this.durableClientData ? { durableClient: this.durableClientData() } : undefined,
      });
      event = events.taskCompleted(this.clock.now(), job.taskId, result);
    } catch (err) {
      event = events.taskFailed(this.clock.now(), job.taskId, failureDetailsOf(err));
    }
    this.deliver(job.instanceId, job.executionId, event);
  }

  private startChild(parent: InstanceRecord, taskId: number, name: string, childId: string, input: unknown): void {
    const fail = (message: string) => this.deliver(parent.instanceId, parent.executionId, events.subOrchestrationFailed(this.clock.now(), taskId, { ErrorType: "Error", ErrorMessage: message }));
    let fn: RegisteredFunction;
    try {
      fn = this.registry.require(name, "orchestrationTrigger");
    } catch (err) {
      return fail((err as Error).message);
    }
    const existing = this.instances.get(childId);
    if (existing && !isTerminal(existing.status)) return fail(`An instance with ID '${childId}' already exists and is ${existing.status}.`);
    this.createInstance(fn.name, childId, input, { instanceId: parent.instanceId, executionId: parent.executionId, taskId }, parent.name);
  }

  /** After a restart: a child that finished while the host was down still reports to its parent. */
  private resumeChildLink(parent: InstanceRecord, created: HistoryEvent): void {
    const child = created.InstanceId ? this.instances.get(created.InstanceId) : undefined;
    if (!child) {
      // Child records are saved before the parent's next save, so a missing one was never started.
      this.startChild(parent, created.EventId, created.Name ?? "", created.InstanceId ?? `${parent.instanceId}:${created.EventId}`, created.Input ? JSON.parse(created.Input) : undefined);
    } else if (isTerminal(child.status)) {
      const at = this.clock.now();
      if (child.status === "Completed") this.deliver(parent.instanceId, parent.executionId, events.subOrchestrationCompleted(at, created.EventId, child.output));
      else this.deliver(parent.instanceId, parent.executionId, events.subOrchestrationFailed(at, created.EventId, child.failure ?? { ErrorType: "Error", ErrorMessage: String(child.output) }));
    }
  }

  // ---------------------------------------------------------------- timers and idleness

  private armTimer(rec: InstanceRecord, timerId: number, fireAt: Date): void {
    const timer: PendingTimer = { instanceId: rec.instanceId, executionId: rec.executionId, timerId, fireAt };
    const key = `${rec.instanceId}\u0000${rec.executionId}\u0000${timerId}`;
    this.timers.set(key, timer);
    const arm = () => {
      const wait = fireAt.getTime() - this.clock.now().getTime();
      if (wait <= 0) return this.fireTimer(key);
      timer.handle = setTimeout(arm, Math.min(wait, MAX_TIMEOUT_MS));
    };
    arm();
  }

  private fireTimer(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    clearTimeout(t.handle);
    this.timers.delete(key);
    this.deliver(t.instanceId, t.executionId, events.timerFired(this.clock.now(), t.timerId, t.fireAt));
  }

  private fireDueTimers(): void {
    const now = this.clock.now().getTime();
    for (const [key, t] of [...this.timers]) if (t.fireAt.getTime() <= now) this.fireTimer(key);
  }

  private clearTimers(instanceId: string): void {
    for (const [key, t] of [...this.timers]) {
      if (t.instanceId !== instanceId) continue;
      clearTimeout(t.handle);
      this.timers.delete(key);
    }
  }

  private isIdle(): boolean {
    return !this.draining && !this.drainScheduled && this.ready.length === 0 && !this.activities.busy;
  }

  private scheduleIdleCheck(): void {
    if (this.idleCheckScheduled || !this.clock.canSkip) return;
    this.idleCheckScheduled = true;
    setImmediate(() => {
      this.idleCheckScheduled = false;
      this.skipTimeIfIdle();
    });
  }

  /** Virtual clock only: when nothing runs and someone waits, jump to the earliest timer. */
  private skipTimeIfIdle(): void {
    if (this.closed || this.waiters.size === 0 || !this.isIdle() || this.timers.size === 0) return;
    let earliest: Date | undefined;
    for (const t of this.timers.values()) if (!earliest || t.fireAt < earliest) earliest = t.fireAt;
    this.clock.skipTo(earliest as Date);
    this.fireDueTimers();
  }

  private statusOf(rec: InstanceRecord, showHistory = false): InstanceStatus {
    return {
      name: rec.name,
      instanceId: rec.instanceId,
      runtimeStatus: rec.status,
      input: rec.input ?? null,
      output: rec.output ?? null,
      customStatus: rec.customStatus ?? null,
      createdTime: rec.createdTime,
      lastUpdatedTime: rec.lastUpdatedTime,
      failure: rec.failure,
      history: showHistory ? rec.history : undefined,
    };
  }
}

function isSchedulingEvent(e: HistoryEvent): boolean {
  return e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated || e.EventType === EventType.SubOrchestrationInstanceCreated;
}

function matches(rec: InstanceRecord, q: InstanceQuery): boolean {
  if (q.name && rec.name.toLowerCase() !== q.name.toLowerCase()) return false;
  if (q.runtimeStatus?.length && !q.runtimeStatus.includes(rec.status)) return false;
  if (q.createdTimeFrom && rec.createdTime < q.createdTimeFrom) return false;
  if (q.createdTimeTo && rec.createdTime > q.createdTimeTo) return false;
  if (q.instanceIdPrefix && !rec.instanceId.startsWith(q.instanceIdPrefix)) return false;
  return true;
}

/** Creates an engine; see EngineOptions. Call resume() to pick up persisted instances. */
export function createEngine(options: EngineOptions): DurableEngine {
  return new DurableEngine(options);
}
