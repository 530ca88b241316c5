// Durable timers of the local runtime: armed on the engine's clock (real, or virtual with time
// skipping), delivered as TimerFired to the execution that created them.

const MAX_TIMEOUT_MS = 2_147_483_647;

interface PendingTimer {
  instanceId: string;
  executionId: string;
  timerId: number;
  fireAt: Date;
  handle?: NodeJS.Timeout;
}

export class DurableTimers {
  private readonly timers = new Map<string, PendingTimer>();

  constructor(
    private readonly now: () => Date,
    private readonly fire: (instanceId: string, executionId: string, timerId: number, fireAt: Date) => void,
  ) {}

  get size(): number {
    return this.timers.size;
  }

  arm(instanceId: string, executionId: string, timerId: number, fireAt: Date): void {
    const timer: PendingTimer = { instanceId, executionId, timerId, fireAt };
    const key = `${instanceId}\u0000${executionId}\u0000${timerId}`;
    this.timers.set(key, timer);
    const check = () => {
      const wait = fireAt.getTime() - this.now().getTime();
      if (wait <= 0) return this.fireOne(key);
      timer.handle = setTimeout(check, Math.min(wait, MAX_TIMEOUT_MS));
    };
    check();
  }

  /** Fires every timer due on the clock (after virtual time moved). */
  fireDue(): void {
    const now = this.now().getTime();
    for (const [key, t] of [...this.timers]) if (t.fireAt.getTime() <= now) this.fireOne(key);
  }

  earliest(): Date | undefined {
    let earliest: Date | undefined;
    for (const t of this.timers.values()) if (!earliest || t.fireAt < earliest) earliest = t.fireAt;
    return earliest;
  }

  clear(instanceId?: string): void {
    for (const [key, t] of [...this.timers]) {
      if (instanceId !== undefined && t.instanceId !== instanceId) continue;
      clearTimeout(t.handle);
      this.timers.delete(key);
    }
  }

  private fireOne(key: string): void {
    const t = this.timers.get(key);
    if (!t) return;
    clearTimeout(t.handle);
    this.timers.delete(key);
    this.fire(t.instanceId, t.executionId, t.timerId, t.fireAt);
  }
}
