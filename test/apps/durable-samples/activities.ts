// Activities used by the sample orchestrations.
import * as df from "durable-functions";
import { concurrency, flakyAttempts, invocations } from "./state";

df.app.activity("Echo", {
  handler: (input: unknown) => {
    invocations.push(`Echo:${JSON.stringify(input)}`);
    return input;
  },
});

df.app.activity("Add", {
  handler: (input: { a: number; b: number }) => {
    invocations.push(`Add:${JSON.stringify(input)}`);
    return input.a + input.b;
  },
});

/** Fails the first `failTimes` attempts for `key`, then returns the attempt number. */
df.app.activity("FlakyActivity", {
  handler: (input: { key: string; failTimes: number }) => {
    const attempt = (flakyAttempts.get(input.key) ?? 0) + 1;
    flakyAttempts.set(input.key, attempt);
    invocations.push(`FlakyActivity:${input.key}#${attempt}`);
    if (attempt <= input.failTimes) throw new RangeError(`flaky ${input.key} attempt ${attempt}`);
    return attempt;
  },
});

df.app.activity("Boom", {
  handler: () => {
    invocations.push("Boom");
    throw new TypeError("boom: the activity failed");
  },
});

/** A connection string in an error message: the host's sanitizer hides the credential. */
df.app.activity("Leaky", {
  handler: () => {
    throw new Error('cannot connect to Server=db.example.com;Password=hunter2" (and PublicKeyToken=abc stays)');
  },
});

/** Sleeps for real: `ms` of wall time. */
df.app.activity("Sleep", {
  handler: async (ms: number) => {
    invocations.push(`Sleep:${ms}`);
    await new Promise((r) => setTimeout(r, ms));
    return `slept ${ms}`;
  },
});

/** Never settles: only the functionTimeout ends it. */
df.app.activity("Hang", {
  handler: () => {
    invocations.push("Hang");
    return new Promise(() => undefined);
  },
});

df.app.activity("Noop", { handler: () => null });

/** Records how many invocations overlap (the engine's activity concurrency limit). */
df.app.activity("Tracked", {
  handler: async (i: number) => {
    concurrency.active++;
    concurrency.max = Math.max(concurrency.max, concurrency.active);
    await new Promise((r) => setTimeout(r, 20));
    concurrency.active--;
    return i;
  },
});

/** Reports ready from its `readyAfter`-th call for `key` on. */
df.app.activity("CheckStatus", {
  handler: (input: { key: string; readyAfter: number }) => {
    const n = (flakyAttempts.get(`status:${input.key}`) ?? 0) + 1;
    flakyAttempts.set(`status:${input.key}`, n);
    invocations.push(`CheckStatus:${input.key}#${n}`);
    return n >= input.readyAfter;
  },
});
