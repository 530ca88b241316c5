import type { OrchestrationContext, Task, TimerTask } from "durable-functions";
import { dateAt } from "./durable-time";
import { WAKE_EVENT, type WakePayload } from "./task-invocation";

// How the DAG orchestrator waits, so that the Durable extension waits on exactly the same work.
// The extension replays the orchestrator's yields in order and awaits each one; durable-functions
// re-sends the action of any task put into a second Task.any (durable-js issue 574), which the
// extension would schedule again. So every yield here is built only from work created for it:
// the activities started this turn, one timer for the earliest deadline, and one fresh wait for
// the wake-up event. An activity that may finish while the orchestrator waits on something else
// raises that event when it ends (its input carries a token); its result is then read from its
// own task, which the SDK completes from history whether or not anything awaits it. Deadlines
// (retry delays, sensor pokes, polls) are kept here and served by that one timer.

/**
 * The longest timer a turn creates. The extension splits a longer one into interval timers
 * (three days each, with a six-day maximum for one timer) that go on firing after the wait that
 * created them has ended; a later action of the orchestrator would then take a sequence id on
 * replay that one of those intervals took when it ran. A longer deadline is reached through
 * several turns instead.
 */
const MAX_ALARM_MS = 3 * 86_400_000;

export type ActivityOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface ActivityCall {
  name: string;
  /** Builds the input; `wake` is set when the activity must raise the wake-up event when it ends. */
  input: (wake: { instanceId: string; token: string } | null) => unknown;
  onDone: (outcome: ActivityOutcome) => void;
}

export interface TurnsSnapshot {
  nextToken: number;
  actions: { activities: number; timers: number };
}

interface Running {
  task: Task;
  call: ActivityCall;
}

interface Deadline {
  at: number;
  onDue: () => void;
}

export class DurableTurns {
  private readonly queued: { token: string; call: ActivityCall }[] = [];
  private readonly running = new Map<string, Running>();
  private readonly deadlines = new Map<string, Deadline>();
  private readonly listeners = new Map<string, () => void>();
  /** Wake-up waits created and not yet taken, this turn's and past turns', oldest first. */
  private readonly waiters: Task[] = [];
  /**
   * Timers created for earlier turns. They are never canceled: a canceled timer completes a
   * WhenAny at once when the extension replays it, which would change which waiter takes which
   * event there; an unused timer just fires unheard.
   */
  private readonly alarms: { timer: TimerTask; at: number }[] = [];
  private nextToken = 0;
  /** Durable actions created: activities and timers (the cost of a run). */
  actions = { activities: 0, timers: 0 };

  constructor(private readonly context: OrchestrationContext) {}

  now(): number {
    return this.context.df.currentUtcDateTime.getTime();
  }

  /** Counts an action the caller yields itself (outside a turn). */
  counted<T extends Task>(task: T, kind: "activities" | "timers"): T {
    this.actions[kind] += 1;
    return task;
  }

  /** Queues an activity; it is scheduled with the next turn. Returns its token. */
  call(call: ActivityCall): string {
    const token = `t${this.nextToken++}`;
    this.queued.push({ token, call });
    return token;
  }

  /** Forgets an activity: its late result is ignored (an abandoned attempt). */
  abandon(token: string): void {
    const i = this.queued.findIndex((q) => q.token === token);
    if (i >= 0) this.queued.splice(i, 1);
    this.running.delete(token);
  }

  setDeadline(key: string, at: number, onDue: () => void): void {
    this.deadlines.set(key, { at, onDue });
  }

  clearDeadline(key: string): void {
    this.deadlines.delete(key);
  }

  hasDeadline(key: string): boolean {
    return this.deadlines.has(key);
  }

  /** The run is ending: no deadline or wake-up listener matters any more. */
  clearWaits(): void {
    this.deadlines.clear();
    this.listeners.clear();
  }

  /** Calls `handler` when a wake-up names `key` (a blob trigger waking a blob sensor). */
  listen(key: string, handler: () => void): void {
    this.listeners.set(key, handler);
  }

  unlisten(key: string): void {
    this.listeners.delete(key);
  }

  /** Nothing to wait for: no activity queued or running, no deadline, no listener. */
  get idle(): boolean {
    return this.queued.length === 0 && this.running.size === 0 && this.deadlines.size === 0 && this.listeners.size === 0;
  }

  /** Token numbering and action counts as plain data, for the next execution. */
  snapshot(): TurnsSnapshot {
    return { nextToken: this.nextToken, actions: { ...this.actions } };
  }

  /**
   * Takes up an earlier execution's numbering: tokens keep counting, so a wake-up the old
   * execution left behind names no activity of this one.
   */
  restore(snap: TurnsSnapshot): void {
    this.nextToken = snap.nextToken;
    this.actions = { ...snap.actions };
  }

  /** Activities queued for the next turn. */
  get queuedCount(): number {
    return this.queued.length;
  }

  /** Activities queued or running (work that reports back by itself). */
  get busy(): boolean {
    return this.queued.length > 0 || this.running.size > 0;
  }

  /** The earliest deadline, or `wakeBy` when that comes first (the run's dagrun_timeout), if any. */
  nextDeadline(wakeBy?: number): number | undefined {
    let earliest = wakeBy;
    for (const d of this.deadlines.values()) if (earliest === undefined || d.at < earliest) earliest = d.at;
    return earliest;
  }

  /**
   * One turn: fires deadlines already due, or else schedules what is queued and waits for the
   * first thing to happen, then delivers every completion that has reached the history.
   * `wakeBy` is a moment to be back by even if nothing else happens (the run's dagrun_timeout):
   * the caller looks at the clock then, no handler of its own runs.
   */
  *turn(wakeBy?: number): Generator<Task, void, unknown> {
    if (this.fireDueDeadlines()) return;
    const deadline = this.nextDeadline(wakeBy);
    const earliest = deadline === undefined ? undefined : Math.min(deadline, this.now() + MAX_ALARM_MS);
    const old = this.running.size > 0 || this.listeners.size > 0;
    // Activities started this turn: with the woken ones, the only ones that can have ended (an
    // activity started earlier ends with a wake-up), so nothing else needs looking at.
    const started = this.queued.splice(0);
    if (started.length === 1 && earliest === undefined && !old) {
      // The only thing that can happen next: wait on the activity itself, no wake-up needed.
      yield* this.waitOn(this.schedule(started[0].token, started[0].call, false));
    } else if (started.length === 0 && !old && earliest !== undefined) {
      // Only a deadline to wait for. A timer an earlier turn created for the same moment is
      // awaited on its own (that adds no action); otherwise a new one.
      const pending = this.pendingAlarm(earliest);
      yield* this.waitOn(pending ?? this.alarm(earliest));
    } else if (started.length === 0 && !old) {
      throw new Error("DurableTurns.turn: nothing to wait for (orchestrator bug).");
    } else {
      const fresh: Task[] = started.map(({ token, call }) => this.schedule(token, call, true));
      if (earliest !== undefined) fresh.push(this.alarm(earliest));
      const wake = this.context.df.waitForExternalEvent(WAKE_EVENT);
      this.waiters.push(wake);
      fresh.push(wake);
      yield this.context.df.Task.any(fresh);
    }
    const woken = yield* this.settleWakes();
    for (const s of started) this.deliverCompleted(s.token);
    for (const token of woken) this.deliverCompleted(token);
    this.fireDueDeadlines();
  }

  /** A timer of an earlier turn still waiting to fire at `at`; fired ones are forgotten. */
  private pendingAlarm(at: number): TimerTask | undefined {
    for (let i = this.alarms.length - 1; i >= 0; i--) if (finished(this.alarms[i].timer)) this.alarms.splice(i, 1);
    return this.alarms.find((a) => a.at === at)?.timer;
  }

  private schedule(token: string, call: ActivityCall, wakes: boolean): Task {
    const input = call.input(wakes ? { instanceId: this.context.df.instanceId, token } : null);
    const task = this.context.df.callActivity(call.name, input);
    this.running.set(token, { task, call });
    this.actions.activities += 1;
    return task;
  }

  private alarm(at: number): TimerTask {
    const timer = this.context.df.createTimer(dateAt(at));
    this.alarms.push({ timer, at });
    this.actions.timers += 1;
    return timer;
  }

  /**
   * Takes every wake-up that has reached a waiter: the current one, or one a past turn left
   * waiting (the SDK and the extension give an event to the newest waiter still open, which is a
   * past one while the run waits on a single task). An activity whose wake-up overtook its own
   * completion is then waited for on its own: its task was scheduled before, so that adds no
   * action and the extension waits on nothing new either.
   */
  private *settleWakes(): Generator<Task, Set<string>, unknown> {
    const woken = new Set<string>();
    for (;;) {
      // Events go to the newest open wait, so the waits taken since the last look are the newest.
      while (this.waiters.length && this.waiters[this.waiters.length - 1].isCompleted) {
        const payload = this.waiters.pop()!.result as WakePayload | undefined;
        if (payload && typeof payload.token === "string") woken.add(payload.token);
        else if (payload && typeof payload.listener === "string") this.listeners.get(payload.listener)?.();
      }
      let late: Running | undefined;
      for (const t of woken) {
        const r = this.running.get(t);
        if (r && !finished(r.task)) {
          late = r;
          break;
        }
      }
      if (!late) return woken;
      yield* this.waitOn(late.task);
    }
  }

  /** Waits for one task; a failure is read from the task afterwards, not thrown here. */
  private *waitOn(task: Task): Generator<Task, void, unknown> {
    try {
      yield task;
    } catch {
      // Delivered by deliverCompleted from task.result.
    }
  }

  /** Hands the activity its outcome if its completion is in the history so far. */
  private deliverCompleted(token: string): void {
    const r = this.running.get(token);
    if (!r || !finished(r.task)) return;
    this.running.delete(token);
    r.call.onDone(r.task.isFaulted ? { ok: false, error: r.task.result } : { ok: true, value: r.task.result });
  }

  /** Runs the handlers of deadlines that have passed; true if any did. */
  private fireDueDeadlines(): boolean {
    if (this.deadlines.size === 0) return false;
    const now = this.now();
    const due = [...this.deadlines.entries()].filter(([, d]) => d.at <= now).sort((a, b) => a[1].at - b[1].at);
    for (const [key, d] of due) {
      if (this.deadlines.get(key) !== d) continue; // cleared by an earlier handler
      this.deadlines.delete(key);
      d.onDue();
    }
    return due.length > 0;
  }
}

/** A failed task is not "completed" in the SDK's terms (isCompleted is success only). */
function finished(task: Task): boolean {
  return task.isCompleted || task.isFaulted;
}
