// Time for orchestrations. The virtual clock runs with real time but can jump forward when the
// engine is idle and a caller is waiting (time skipping, as in `dags test`), so durable timers
// and retry backoffs cost nothing; the real clock (`azflow host`) never jumps.

export interface Clock {
  readonly canSkip: boolean;
  now(): Date;
  /** Moves virtual time forward to `to`; a no-op on the real clock. */
  skipTo(to: Date): void;
}

export class RealClock implements Clock {
  readonly canSkip = false;
  now(): Date {
    return new Date();
  }
  skipTo(): void {}
}

export class VirtualClock implements Clock {
  readonly canSkip = true;
  private offsetMs: number;
  constructor(start?: Date) {
    this.offsetMs = start ? start.getTime() - Date.now() : 0;
  }
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  skipTo(to: Date): void {
    const ahead = to.getTime() - this.now().getTime();
    if (ahead > 0) this.offsetMs += ahead;
  }
}
