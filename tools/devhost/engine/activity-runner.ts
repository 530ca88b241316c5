// Runs activity invocations with a concurrency limit (host.json
// extensions.durableTask.maxConcurrentActivityFunctions); the rest wait in FIFO order.

export class ActivityRunner<Job> {
  private readonly queue: Job[] = [];
  private head = 0;
  private running = 0;

  constructor(
    private readonly limit: number,
    private readonly run: (job: Job) => Promise<void>,
    private readonly onIdle: () => void,
  ) {
    if (!(limit >= 1)) throw new Error(`maxConcurrentActivityFunctions must be at least 1, got ${limit}.`);
  }

  get busy(): boolean {
    return this.running > 0 || this.head < this.queue.length;
  }

  /** Invocations running or waiting for a slot. */
  get pending(): number {
    return this.running + (this.queue.length - this.head);
  }

  enqueue(job: Job): void {
    this.queue.push(job);
    this.pump();
  }

  private pump(): void {
    while (this.running < this.limit && this.head < this.queue.length) {
      const job = this.queue[this.head++];
      this.running++;
      this.run(job).finally(() => {
        this.running--;
        this.pump();
        if (!this.busy) this.onIdle();
      });
    }
    // Drop consumed slots now and then so a long run does not keep every job alive.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}
