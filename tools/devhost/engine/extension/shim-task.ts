// A .NET Task as the extension's shim sees one, reduced to what the replay needs: a state that
// is settled once, and continuations that run synchronously when it settles (the Durable Task
// Framework runs orchestrator code on a synchronous scheduler, so a continuation runs before the
// next history event is processed).

export type ShimTaskState = "pending" | "completed" | "failed" | "canceled";

export class ShimTask {
  state: ShimTaskState = "pending";
  private continuations: (() => void)[] = [];

  get done(): boolean {
    return this.state !== "pending";
  }

  settle(state: Exclude<ShimTaskState, "pending">): void {
    if (this.done) return;
    this.state = state;
    const run = this.continuations;
    this.continuations = [];
    for (const fn of run) fn();
  }

  /** Runs fn when the task settles (at once if it already has). */
  then(fn: () => void): void {
    if (this.done) fn();
    else this.continuations.push(fn);
  }

  static settled(state: Exclude<ShimTaskState, "pending">): ShimTask {
    const t = new ShimTask();
    t.state = state;
    return t;
  }

  /** Task.WhenAny: done when any child is done, whether it completed, failed or was canceled. */
  static whenAny(children: ShimTask[]): ShimTask {
    const t = new ShimTask();
    for (const c of children) c.then(() => t.settle("completed"));
    return t;
  }

  /** Task.WhenAll: done when every child is done; unlike the JS SDK it does not stop at the first failure. */
  static whenAll(children: ShimTask[]): ShimTask {
    const t = new ShimTask();
    let left = children.length;
    const one = () => {
      left -= 1;
      if (left === 0) t.settle(children.some((c) => c.state === "failed") ? "failed" : children.some((c) => c.state === "canceled") ? "canceled" : "completed");
    };
    for (const c of children) c.then(one);
    if (children.length === 0) t.settle("completed");
    return t;
  }
}
