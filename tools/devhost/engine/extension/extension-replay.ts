// How the Durable extension replays an out-of-proc (JavaScript) orchestration, restated from its
// OutOfProcOrchestrationShim and the Durable Task Framework's TaskOrchestrationContext, so the
// local runtime derives sequence ids, schedules work and matches history exactly as Azure does:
//
// - the orchestrator's returned actions are walked in order each episode; each top-level action
//   is awaited before the next one is reached (WhenAny/WhenAll await their children);
// - every activity, timer and sub-orchestration the walk invokes takes the next sequence id, in
//   invocation order; a retried call takes an id for each attempt and each backoff timer, and a
//   timer longer than the provider's maximum is split into interval timers with ids of their own;
// - external events carry no id: a raised event goes to the newest waiter of its name (a stack),
//   or is buffered until a waiter of that name is created (a queue);
// - history is processed in order: a scheduling event must find the action it records already
//   created (same kind and name), or the replay is non-deterministic; completions settle tasks,
//   whose continuations run at once (the framework's synchronous scheduler).
// What is created but has no scheduling event in history is what this episode schedules.
import { EventType, type HistoryEvent } from "../history";
import { ActionType, actionInput, inputSummary, unsupportedActionName, type SdkAction, type WireRetryOptions } from "./actions";
import { ShimTask } from "./shim-task";

export type WorkKind = "activity" | "timer" | "subOrchestration";

/** One thing the extension schedules, with its sequence id. */
export interface ScheduledWork {
  id: number;
  kind: WorkKind;
  /** Activity or orchestrator name; none for timers. */
  name: string;
  /** The input as it goes on the wire (read from the action only when asked: replays skip it). */
  readonly input: unknown;
  fireAt: Date;
  instanceId?: string;
  /** The action object of the SDK that produced it (retry attempts and interval timers share it). */
  source: SdkAction;
  /** Set for the attempts and backoff timers of a retried call, and for interval timers. */
  partOf?: "retry" | "longTimer";
  task: ShimTask;
}

export interface ReplayOptions {
  /** The extension validates names when an action is invoked; false fails the orchestration. */
  functionExists: (name: string, kind: "activity" | "orchestration") => boolean;
  maximumTimerMs: number;
  longTimerIntervalMs: number;
}

const DEFAULT_MAX_RETRY_INTERVAL_MS = 6 * 86_400_000;

export class ExtensionReplay {
  /** Every id the replay created, by id. */
  readonly created = new Map<number, ScheduledWork>();
  /** Created but not yet recorded in history (the framework's orchestratorActionsMap). */
  private readonly unrecorded = new Map<number, ScheduledWork>();
  /** Waiting for a completion event (the framework's openTasks). */
  private readonly open = new Map<number, ScheduledWork>();
  private readonly waiters = new Map<string, ShimTask[]>();
  private readonly buffered = new Map<string, number>();
  /** First id under which each SDK action object was invoked: a second invocation is a re-sent action. */
  private readonly invokedActions = new Map<SdkAction, number>();
  private nextId = 0;
  private now = new Date(0);
  private index = 0;
  private blocked: ShimTask | null = null;
  /** Set when the replay fails the orchestration (non-determinism, an unknown function...). */
  failure: string | null = null;
  /** An action object the walk invoked a second time, with the ids of both invocations. */
  resent: { first: number; again: number; work: ScheduledWork } | null = null;

  constructor(
    private readonly actions: SdkAction[],
    private readonly options: ReplayOptions,
  ) {}

  /** The next sequence id the framework would assign. */
  get sequenceNumber(): number {
    return this.nextId;
  }

  /** How far the walk got: the index of the top-level action it waits on, or actions.length. */
  get position(): number {
    return this.index;
  }

  get finished(): boolean {
    return this.index >= this.actions.length;
  }

  /** Event names the orchestration waits on at the end of the replay. */
  get awaitedEvents(): string[] {
    return [...this.waiters.entries()].filter(([, stack]) => stack.some((t) => !t.done)).map(([name]) => name);
  }

  /** Processes the whole history; afterwards `newWork()` is what this episode schedules. */
  run(history: readonly HistoryEvent[]): this {
    for (const e of history) {
      if (this.failure) break;
      this.process(e);
    }
    return this;
  }

  /** Created this episode: no scheduling event in history yet. In id order. */
  newWork(): ScheduledWork[] {
    return [...this.unrecorded.values()].sort((a, b) => a.id - b.id);
  }

  private process(e: HistoryEvent): void {
    switch (e.EventType) {
      case EventType.OrchestratorStarted:
        if (e.Timestamp > this.now) this.now = e.Timestamp;
        return;
      case EventType.ExecutionStarted:
        this.advance();
        return;
      case EventType.TaskScheduled:
        return this.record(e, "activity");
      case EventType.TimerCreated:
        return this.record(e, "timer");
      case EventType.SubOrchestrationInstanceCreated:
        return this.record(e, "subOrchestration");
      case EventType.TaskCompleted:
      case EventType.SubOrchestrationInstanceCompleted:
        return this.complete(e.TaskScheduledId, "completed", e);
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceFailed:
        return this.complete(e.TaskScheduledId, "failed", e);
      case EventType.TimerFired:
        // A canceled timer still fires; the framework logs it as a duplicate and moves on.
        if (e.TimerId !== undefined && this.open.has(e.TimerId)) this.complete(e.TimerId, "completed", e);
        return;
      case EventType.EventRaised:
        return this.raise(e.Name ?? "");
      default:
        return;
    }
  }

  /** HandleTaskScheduledEvent / HandleTimerCreatedEvent / HandleSubOrchestrationCreatedEvent. */
  private record(e: HistoryEvent, kind: WorkKind): void {
    const id = e.EventId;
    const what = kind === "activity" ? "an activity task" : kind === "timer" ? "a timer task" : "a sub-orchestration task";
    const work = this.unrecorded.get(id);
    if (!work) {
      this.failure = `A previous execution of this orchestration scheduled ${what} with sequence ID ${id}${e.Name ? ` and name '${e.Name}'` : ""}, but the current replay execution hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after this instance had already started running?`;
      return;
    }
    if (work.kind !== kind) {
      this.failure = `A previous execution of this orchestration scheduled ${what} with sequence number ${id}${e.Name ? ` named '${e.Name}'` : ""}, but the current orchestration replay instead produced a ${work.kind} action (${describeWork(work)}) with this sequence number.`;
      return;
    }
    if (kind !== "timer" && (e.Name ?? "").toLowerCase() !== work.name.toLowerCase()) {
      this.failure = `A previous execution of this orchestration scheduled ${what} with sequence number ${id} named '${e.Name}', but the current orchestration replay instead scheduled ${describeWork(work)} with this sequence number.`;
      return;
    }
    this.unrecorded.delete(id);
  }

  private complete(id: number | undefined, state: "completed" | "failed", e: HistoryEvent): void {
    const work = id === undefined ? undefined : this.open.get(id);
    if (!work) {
      // The framework logs and ignores a completion it has no open task for; here that can only be
      // a runtime bug (a completion sent for an id nothing scheduled), which would hang in Azure.
      this.failure = `${EventType[e.EventType]} for task id ${id} matches nothing the orchestration has open: an azflow local runtime id bug.`;
      return;
    }
    this.open.delete(work.id);
    work.task.settle(state);
  }

  /** DurableOrchestrationContext.RaiseEvent: the newest waiter of the name, else buffered. */
  private raise(name: string): void {
    const stack = this.waiters.get(name);
    const waiter = stack?.pop();
    if (stack && stack.length === 0) this.waiters.delete(name);
    if (waiter) waiter.settle("completed");
    else this.buffered.set(name, (this.buffered.get(name) ?? 0) + 1);
  }

  /** ProcessAsyncActionsV2: invoke each top-level action in order, awaiting it before the next. */
  private advance(): void {
    while (!this.failure && this.index < this.actions.length) {
      const task = this.invoke(this.actions[this.index]);
      if (this.failure) return;
      if (!task.done) {
        this.blocked = task;
        task.then(() => {
          if (this.blocked !== task) return;
          this.blocked = null;
          this.index += 1;
          this.advance();
        });
        return;
      }
      this.index += 1;
    }
  }

  /** InvokeAPIFromAction. */
  private invoke(action: SdkAction): ShimTask {
    switch (action.actionType) {
      case ActionType.CallActivity:
        return this.call(action, "activity");
      case ActionType.CallActivityWithRetry:
        return this.retry(action, "activity");
      case ActionType.CallSubOrchestrator:
        return this.call(action, "subOrchestration");
      case ActionType.CallSubOrchestratorWithRetry:
        return this.retry(action, "subOrchestration");
      case ActionType.ContinueAsNew:
        return ShimTask.settled("completed");
      case ActionType.CreateTimer:
        return this.timer(action);
      case ActionType.WaitForExternalEvent:
        return this.waitFor(action.externalEventName ?? "");
      case ActionType.WhenAny:
        return ShimTask.whenAny((action.compoundActions ?? []).map((a) => this.invoke(a)));
      case ActionType.WhenAll:
        return ShimTask.whenAll((action.compoundActions ?? []).map((a) => this.invoke(a)));
      default: {
        this.failure = `${unsupportedActionName(action.actionType) ?? `Action type ${action.actionType}`} is not supported by the azflow local runtime.`;
        return ShimTask.settled("failed");
      }
    }
  }

  private schedule(kind: WorkKind, source: SdkAction, fields: Partial<Omit<ScheduledWork, "input">> = {}): ScheduledWork {
    const work: ScheduledWork = {
      id: this.nextId++, kind, name: "", fireAt: new Date(0), source, task: new ShimTask(), ...fields,
      get input() {
        if (kind === "timer") return undefined;
        return kind === "activity" ? actionInput(source) : source.input === undefined ? undefined : (JSON.parse(JSON.stringify(source.input)) as unknown);
      },
    };
    this.created.set(work.id, work);
    this.unrecorded.set(work.id, work);
    this.open.set(work.id, work);
    if (!fields.partOf) {
      const first = this.invokedActions.get(source);
      if (first === undefined) this.invokedActions.set(source, work.id);
      else this.resent ??= { first, again: work.id, work };
    }
    return work;
  }

  /** ScheduleTask / CreateSubOrchestrationInstance, after the extension's name check. */
  private call(action: SdkAction, kind: "activity" | "subOrchestration", partOf?: "retry"): ShimTask {
    const name = action.functionName ?? "";
    if (!this.options.functionExists(name, kind === "activity" ? "activity" : "orchestration")) {
      this.failure = `The function '${name}' doesn't exist, is disabled, or is not an ${kind === "activity" ? "activity" : "orchestrator"} function.`;
      return ShimTask.settled("failed");
    }
    return this.schedule(kind, action, { name, instanceId: action.instanceId, partOf }).task;
  }

  /** RetryInterceptor.Invoke: attempt, backoff timer, attempt, ...; after the last failure a timer at "now". */
  private retry(action: SdkAction, kind: "activity" | "subOrchestration"): ShimTask {
    const options = action.retryOptions as WireRetryOptions;
    const outer = new ShimTask();
    const firstAttempt = this.now.getTime();
    const attempt = (retryCount: number): void => {
      if (retryCount >= options.maxNumberOfAttempts) return outer.settle("completed");
      const call = this.call(action, kind, "retry");
      call.then(() => {
        if (call.state === "completed") return outer.settle("completed");
        if (retryCount + 1 === options.maxNumberOfAttempts) {
          // Kept for replay compatibility by the framework: a timer that fires at once.
          this.scheduleTimer(action, new Date(this.now), "retry").then(() => outer.settle("failed"));
          return;
        }
        const delay = nextRetryDelayMs(options, retryCount, firstAttempt, this.now.getTime());
        if (delay === 0) return outer.settle("failed");
        this.scheduleTimer(action, new Date(this.now.getTime() + delay), "retry").then(() => attempt(retryCount + 1));
      });
    };
    attempt(0);
    if (this.failure) return ShimTask.settled("failed");
    return outer;
  }

  private scheduleTimer(source: SdkAction, fireAt: Date, partOf?: "retry" | "longTimer"): ShimTask {
    return this.schedule("timer", source, { fireAt, partOf }).task;
  }

  /** The shim's CreateTimer: canceled at once when the action says so; long timers split in intervals. */
  private timer(action: SdkAction): ShimTask {
    const fireAt = new Date(action.fireAt as Date);
    const cancel = (t: ShimTask, work: ScheduledWork | undefined): ShimTask => {
      if (!action.isCanceled) return t;
      // Canceling drops the open task: its TimerFired is ignored, and an awaiting WhenAny completes.
      if (work) this.open.delete(work.id);
      t.settle("canceled");
      return t;
    };
    if (fireAt.getTime() - this.now.getTime() <= this.options.maximumTimerMs) {
      const work = this.schedule("timer", action, { fireAt });
      return cancel(work.task, work);
    }
    // IsLongRunningTimer: interval timers until the fire time, each re-planned from "now".
    const outer = new ShimTask();
    let current: ScheduledWork | undefined;
    const next = (first: boolean): void => {
      const remaining = fireAt.getTime() - this.now.getTime();
      if (!first && remaining <= 0) return outer.settle("completed");
      const interval = this.options.longTimerIntervalMs;
      const at = new Date(this.now.getTime() + (first || remaining >= interval ? interval : remaining));
      current = this.schedule("timer", action, { fireAt: at, partOf: first ? undefined : "longTimer" });
      current.task.then(() => (current?.task.state === "canceled" ? outer.settle("canceled") : next(false)));
    };
    next(true);
    if (action.isCanceled && current) {
      this.open.delete(current.id);
      current.task.settle("canceled");
    }
    return outer;
  }

  /** WaitForExternalEvent: pushed on the name's stack; a buffered event is taken at once. */
  private waitFor(name: string): ShimTask {
    const t = new ShimTask();
    const stack = this.waiters.get(name) ?? [];
    stack.push(t);
    this.waiters.set(name, stack);
    const waiting = this.buffered.get(name) ?? 0;
    if (waiting > 0) {
      if (waiting === 1) this.buffered.delete(name);
      else this.buffered.set(name, waiting - 1);
      this.raise(name);
    }
    return t;
  }
}

/** RetryInterceptor.ComputeNextDelay; 0 means "stop retrying" (the retry timeout has passed). */
export function nextRetryDelayMs(options: WireRetryOptions, retryCount: number, firstAttemptMs: number, nowMs: number): number {
  const timeout = options.retryTimeoutInMilliseconds;
  if (timeout !== undefined && timeout > 0 && nowMs >= firstAttemptMs + timeout) return 0;
  const delay = options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, retryCount);
  const cap = options.maxRetryIntervalInMilliseconds ?? DEFAULT_MAX_RETRY_INTERVAL_MS;
  return delay < cap ? delay : cap;
}

export function describeWork(work: Pick<ScheduledWork, "kind" | "name" | "input" | "fireAt">): string {
  switch (work.kind) {
    case "activity":
      return `activity '${work.name}' (${inputSummary(work.input)})`;
    case "subOrchestration":
      return `sub-orchestration '${work.name}' (${inputSummary(work.input)})`;
    default:
      return `timer firing at ${work.fireAt.toISOString()}`;
  }
}
