// The Durable engine: keeps each instance's history, runs orchestrator episodes as the Durable
// extension does (the SDK's replay, then the extension's own replay of the returned actions,
// which decides sequence ids and what to schedule), performs that work (activities, timers,
// sub-orchestrations) and feeds completions back as history events.
import { randomUUID } from "node:crypto";
import { invokeFunction, type LogSink } from "../invoke";
import type { FunctionRegistry, RegisteredFunction } from "../registry";
import { ActivityRunner } from "./activity-runner";
import { RealClock, VirtualClock, type Clock } from "./clock";
import { DurableTimers } from "./durable-timers";
import { runExtensionEpisode } from "./episode";
import type { ScheduledWork } from "./extension/extension-replay";
import { activityFailed, subOrchestrationFailed } from "./extension/failure-events";
import { assertSupportedSdk } from "./extension/sdk-check";
import { completedIds, events, EventType, type FailureDetails, type HistoryEvent } from "./history";
import { isTerminal, MemoryInstanceStore, type InstanceRecord, type InstanceStore, type RuntimeStatus } from "./instance-store";
import type { EpisodeOutcome } from "./orchestration-runner";
import { checkReplay } from "./replay-check";

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

interface Waiter {
  resolve: (s: InstanceStatus) => void;
  reject: (e: Error) => void;
}

/**
 * While activities run, episodes wait for more of their completions to batch: EPISODE_BATCH_MS
 * (an activity's wake-up and its own completion arrive together), and while several run,
 * EPISODE_BATCH_ROUNDS times as long as the last round of episodes took, up to
 * EPISODE_BATCH_MAX_MS. Replaying a long history then takes at most about a fifth of the time
 * however quickly a fan-out's completions arrive, as the extension takes whatever reached its
 * queue meanwhile as one batch (up to 32 messages per poll by default). Each episode replays the
 * whole history and its garbage outlives a young-generation collection, so fewer episodes also
 * keep the heap small. A chain, with one activity at a time, is not slowed.
 */
const EPISODE_BATCH_MS = 2;
const EPISODE_BATCH_ROUNDS = 4;
const EPISODE_BATCH_MAX_MS = 50;
const PACED_ABOVE_ACTIVITIES = 2;

/** Event names each running instance waits on, for the stall report. */
type AwaitedEvents = Map<string, string[]>;

export class DurableEngine {
  readonly clock: Clock;
  readonly mode: EngineMode;
  private readonly registry: FunctionRegistry;
  private readonly store: InstanceStore;
  private readonly log?: LogSink;
  private readonly functionTimeoutMs: number;
  private readonly stallTimeoutMs: number;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly awaited: AwaitedEvents = new Map();
  private readonly timers: DurableTimers;
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly activities: ActivityRunner<ActivityJob>;
  private readonly ready: string[] = [];
  private readonly readySet = new Set<string>();
  private drainScheduled = false;
  private draining = false;
  /** How long the last round of episodes took (ms): the next waits as long while activities run. */
  private lastRoundMs = 0;
  private idleCheckScheduled = false;
  private closed = false;
  private durableClientData?: () => unknown;
  /** Episodes run and history events replayed in them, for benchmarks. */
  readonly stats = { episodes: 0, replayedEvents: 0 };

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
    this.timers = new DurableTimers(() => this.clock.now(), (instanceId, executionId, timerId, fireAt) => this.deliver(instanceId, executionId, events.timerFired(this.clock.now(), timerId, fireAt)));
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
    return rec ? statusOf(rec, opts.showHistory) : undefined;
  }

  list(query: InstanceQuery = {}): InstanceStatus[] {
    return [...this.instances.values()].filter((r) => matches(r, query)).map((r) => statusOf(r, false));
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
    this.awaited.delete(instanceId);
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
    if (isTerminal(rec.status)) return Promise.resolve(statusOf(rec, false));
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
          const waiting = [...this.awaited.entries()].filter(([, names]) => names.length).map(([id, names]) => `${id} waits for ${names.map((e) => `'${e}'`).join(", ")}`);
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
    this.timers.fireDue();
  }

  /** Loads persisted instances and carries on with their outstanding work (host restart). */
  resume(): number {
    let resumed = 0;
    for (const rec of this.store.loadAll()) {
      this.instances.set(rec.instanceId, rec);
      if (isTerminal(rec.status)) continue;
      resumed++;
      const done = completedIds([...rec.history, ...rec.inbox]);
      for (const e of rec.history) {
        if (!isSchedulingEvent(e) || done.has(e.EventId)) continue;
        if (e.EventType === EventType.TaskScheduled) this.dispatchActivity(rec, e.EventId, e.Name ?? "", e.Input === undefined ? undefined : JSON.parse(e.Input));
        else if (e.EventType === EventType.TimerCreated) this.timers.arm(rec.instanceId, rec.executionId, e.EventId, new Date(e.FireAt as Date));
        else if (e.EventType === EventType.SubOrchestrationInstanceCreated) this.resumeChildLink(rec, e);
      }
      if (rec.inbox.length) this.kick(rec.instanceId);
    }
    return resumed;
  }

  /** Stops timers and drops waiters; running activities finish but their results are ignored. */
  async close(): Promise<void> {
    this.closed = true;
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
    this.awaited.delete(instanceId);
    this.store.save(rec);
    this.kick(instanceId);
    return rec;
  }

  private requireInstance(instanceId: string): InstanceRecord {
    const rec = this.instances.get(instanceId);
    if (!rec) throw new EngineError(`No instance with ID '${instanceId}' found.`, "NotFound");
    return rec;
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
    this.scheduleDrain();
  }

  private scheduleDrain(): void {
    this.drainScheduled = true;
    // Not at once: completions that arrive together (a fan-out of quick activities, an activity's
    // wake-up and its own completion) land in the inbox first and are replayed in one episode, as
    // the extension takes a batch of messages from its queue.
    const pending = this.activities.pending;
    if (pending === 0) setImmediate(() => void this.drain());
    else if (pending <= PACED_ABOVE_ACTIVITIES) setTimeout(() => void this.drain(), EPISODE_BATCH_MS);
    else setTimeout(() => void this.drain(), Math.min(EPISODE_BATCH_MAX_MS, Math.max(EPISODE_BATCH_MS, EPISODE_BATCH_ROUNDS * this.lastRoundMs)));
  }

  /** One round: an episode for each instance with new events; events arriving meanwhile wait for the next round. */
  private async drain(): Promise<void> {
    this.drainScheduled = false;
    this.draining = true;
    const began = performance.now();
    try {
      for (const id of this.ready.splice(0)) {
        if (this.closed) break;
        this.readySet.delete(id);
        try {
          await this.runInstance(id);
        } catch (err) {
          this.failInstance(id, { ErrorType: "DevhostInternalError", ErrorMessage: `azflow devhost could not run instance '${id}': ${(err as Error).message}`, StackTrace: (err as Error).stack });
        }
      }
    } finally {
      this.draining = false;
      this.lastRoundMs = performance.now() - began;
    }
    if (this.ready.length && !this.closed && !this.drainScheduled) this.scheduleDrain();
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
    this.stats.episodes += 1;
    this.stats.replayedEvents += rec.history.length;
    const { outcome, replay, problem } = await runExtensionEpisode(fn, this.registry, rec, rec.history, this.log);
    // Everything up to here has now been seen by the orchestrator: later episodes replay it.
    started.IsPlayed = true;
    for (const e of incoming) e.IsPlayed = true;
    if (outcome.customStatus !== undefined) rec.customStatus = outcome.customStatus;
    this.awaited.set(rec.instanceId, replay.awaitedEvents);
    if (problem) {
      rec.history.push(events.orchestratorCompleted(now));
      this.endExecution(rec, fn, outcome, { ErrorType: "NonDeterministicOrchestrationException", ErrorMessage: problem });
      return;
    }
    // Scheduling events are recorded (and persisted) before any work starts, so a crash cannot
    // start an activity that the stored history does not know about.
    const newWork = replay.newWork();
    const dispatches = newWork.map((w) => this.schedule(rec, w, now));
    rec.history.push(events.orchestratorCompleted(now));
    rec.lastUpdatedTime = now;
    if (outcome.kind !== "running") {
      await this.endExecutionChecked(rec, fn, outcome);
      return;
    }
    this.store.save(rec);
    for (const go of dispatches) go();
  }

  /** Records the scheduling event for `work` now; returns the step that starts it after saving. */
  private schedule(rec: InstanceRecord, work: ScheduledWork, now: Date): () => void {
    switch (work.kind) {
      case "activity":
        rec.history.push(events.taskScheduled(now, work.id, work.name, work.input));
        return () => this.dispatchActivity(rec, work.id, work.name, work.input);
      case "subOrchestration": {
        // The framework names an unnamed child "<executionId>:<sequence id>".
        const childId = work.instanceId ?? `${rec.executionId}:${work.id}`;
        rec.history.push(events.subOrchestrationCreated(now, work.id, work.name, childId, work.input));
        return () => this.startChild(rec, work.id, work.name, childId, work.input);
      }
      default:
        rec.history.push(events.timerCreated(now, work.id, work.fireAt));
        return () => this.timers.arm(rec.instanceId, rec.executionId, work.id, work.fireAt);
    }
  }

  private async endExecutionChecked(rec: InstanceRecord, fn: RegisteredFunction, outcome: EpisodeOutcome): Promise<void> {
    if (this.mode === "test") {
      const problem = await checkReplay(fn, this.registry, rec, outcome, this.log);
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
      this.timers.clear(rec.instanceId);
      rec.executionId = randomUUID().replace(/-/g, "");
      rec.input = outcome.input;
      rec.history = [];
      rec.inbox = [events.executionStarted(now, rec.name, outcome.input, rec.instanceId, rec.executionId), ...rec.inbox];
      rec.status = "Running";
      rec.lastUpdatedTime = now;
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
    this.timers.clear(rec.instanceId);
    this.awaited.delete(rec.instanceId);
    this.store.save(rec);
    if (rec.parent) this.reportToParent(rec);
    const status_ = statusOf(rec, false);
    for (const w of [...(this.waiters.get(rec.instanceId) ?? [])]) w.resolve(status_);
  }

  /** A child's end reaches its parent as SubOrchestrationInstanceCompleted / Failed. */
  private reportToParent(child: InstanceRecord): void {
    const { instanceId, executionId, taskId } = child.parent!;
    const at = this.clock.now();
    if (child.status === "Completed") return this.deliver(instanceId, executionId, events.subOrchestrationCompleted(at, taskId, child.output));
    const reason = typeof child.output === "string" ? child.output : `Sub-orchestration '${child.instanceId}' was ${child.status}.`;
    const details = `Message: ${child.failure?.ErrorMessage ?? reason}, StackTrace: ${child.failure?.StackTrace ?? ""}`;
    this.deliver(instanceId, executionId, subOrchestrationFailed(at, taskId, reason, details));
  }

  // ---------------------------------------------------------------- work

  private dispatchActivity(rec: InstanceRecord, taskId: number, name: string, input: unknown): void {
    const fn = this.registry.require(name, "activityTrigger");
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
      event = activityFailed(this.clock.now(), job.taskId, job.fn.name, err);
    }
    this.deliver(job.instanceId, job.executionId, event);
  }

  private startChild(parent: InstanceRecord, taskId: number, name: string, childId: string, input: unknown): void {
    const fn = this.registry.require(name, "orchestrationTrigger");
    const existing = this.instances.get(childId);
    if (existing && !isTerminal(existing.status)) {
      const reason = `An instance with ID '${childId}' already exists and is ${existing.status}.`;
      this.deliver(parent.instanceId, parent.executionId, subOrchestrationFailed(this.clock.now(), taskId, reason, `Message: ${reason}, StackTrace: `));
      return;
    }
    this.createInstance(fn.name, childId, input, { instanceId: parent.instanceId, executionId: parent.executionId, taskId }, parent.name);
  }

  /** After a restart: a child that finished while the host was down still reports to its parent. */
  private resumeChildLink(parent: InstanceRecord, created: HistoryEvent): void {
    const child = created.InstanceId ? this.instances.get(created.InstanceId) : undefined;
    if (!child) {
      // Child records are saved before the parent's next save, so a missing one was never started.
      this.startChild(parent, created.EventId, created.Name ?? "", created.InstanceId ?? `${parent.executionId}:${created.EventId}`, created.Input ? JSON.parse(created.Input) : undefined);
    } else if (isTerminal(child.status)) {
      this.reportToParent(child);
    }
  }

  // ---------------------------------------------------------------- idleness (virtual time)

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
    if (this.closed || this.waiters.size === 0 || !this.isIdle()) return;
    const earliest = this.timers.earliest();
    if (!earliest) return;
    this.clock.skipTo(earliest);
    this.timers.fireDue();
  }
}

function statusOf(rec: InstanceRecord, showHistory = false): InstanceStatus {
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
