// Timer triggers on the real clock: each function fires at its schedule's occurrences (UTC),
// with the host's Timer object ({ isPastDue, schedule, scheduleStatus }).
import type { LogSink } from "./invoke";
import { parseSchedule, type Schedule } from "./ncrontab";
import type { RegisteredFunction } from "./registry";

export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  scheduleStatus: { last: string; next: string; lastUpdated: string };
}

// A firing this late after its due time is reported as past due.
const PAST_DUE_MS = 1000;
const MAX_TIMEOUT_MS = 2_147_483_647;

export class TimerScheduler {
  private readonly handles = new Map<string, NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly functions: RegisteredFunction[],
    private readonly invoke: (fn: RegisteredFunction, timer: TimerInfo) => Promise<void>,
    private readonly log: LogSink,
  ) {}

  start(): void {
    for (const fn of this.functions) {
      const schedule = parseSchedule(String(fn.trigger.schedule));
      const now = new Date();
      if (fn.trigger.runOnStartup === true) void this.fire(fn, schedule, now, now);
      this.arm(fn, schedule, now, schedule.next(now));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const h of this.handles.values()) clearTimeout(h);
    this.handles.clear();
  }

  private arm(fn: RegisteredFunction, schedule: Schedule, last: Date, due: Date): void {
    if (this.stopped) return;
    const wait = due.getTime() - Date.now();
    const handle = setTimeout(
      () => {
        if (Date.now() < due.getTime()) return this.arm(fn, schedule, last, due); // long waits come in slices
        void this.fire(fn, schedule, last, due);
        // The next occurrence counts from the due time, not from now, so firings do not drift.
        this.arm(fn, schedule, due, schedule.next(new Date(Math.max(due.getTime(), Date.now() - PAST_DUE_MS))));
      },
      Math.max(0, Math.min(wait, MAX_TIMEOUT_MS)),
    );
    this.handles.set(fn.name, handle);
  }

  private async fire(fn: RegisteredFunction, schedule: Schedule, last: Date, due: Date): Promise<void> {
    const now = new Date();
    const timer: TimerInfo = {
      isPastDue: now.getTime() - due.getTime() > PAST_DUE_MS,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: last.toISOString(), next: schedule.next(due).toISOString(), lastUpdated: now.toISOString() },
    };
    try {
      await this.invoke(fn, timer);
    } catch (err) {
      this.log(`[${fn.name}] timer invocation failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
}
