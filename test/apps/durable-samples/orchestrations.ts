// Sample orchestrations, one per runtime feature (and its failure path).
import * as df from "durable-functions";
import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";

function orchestration(name: string, handler: OrchestrationHandler): void {
  df.app.orchestration(name, handler);
}

orchestration("Chain", function* (context: OrchestrationContext) {
  const n = (context.df.getInput() as number) ?? 3;
  let total = 0;
  for (let i = 0; i < n; i++) total = (yield context.df.callActivity("Add", { a: total, b: i + 1 })) as number;
  return total;
});

orchestration("FanOut", function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const tasks = [];
  for (let i = 0; i < n; i++) tasks.push(context.df.callActivity("Echo", i));
  const results = (yield context.df.Task.all(tasks)) as number[];
  return results.reduce((a, b) => a + b, 0);
});

orchestration("FanOutTracked", function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const results = (yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity("Tracked", i)))) as number[];
  return results.length;
});

interface RetryInput {
  key: string;
  failTimes: number;
  attempts: number;
  firstMs: number;
  coefficient?: number;
  maxMs?: number;
  timeoutMs?: number;
}

function retryOptions(input: RetryInput): df.RetryOptions {
  const options = new df.RetryOptions(input.firstMs, input.attempts);
  if (input.coefficient !== undefined) options.backoffCoefficient = input.coefficient;
  if (input.maxMs !== undefined) options.maxRetryIntervalInMilliseconds = input.maxMs;
  if (input.timeoutMs !== undefined) options.retryTimeoutInMilliseconds = input.timeoutMs;
  return options;
}

/** callActivityWithRetry; returns the attempt that succeeded and the virtual time it took. */
orchestration("RetryActivity", function* (context: OrchestrationContext) {
  const input = context.df.getInput() as RetryInput;
  const started = context.df.currentUtcDateTime.getTime();
  try {
    const attempt = (yield context.df.callActivityWithRetry("FlakyActivity", retryOptions(input), { key: input.key, failTimes: input.failTimes })) as number;
    return { ok: true, attempt, elapsedMs: context.df.currentUtcDateTime.getTime() - started };
  } catch (err) {
    return { ok: false, error: (err as Error).message, elapsedMs: context.df.currentUtcDateTime.getTime() - started };
  }
});

/** Retried and plain tasks completing in the same episodes, then a task scheduled after them. */
orchestration("RetryBatch", function* (context: OrchestrationContext) {
  const key = context.df.getInput() as string;
  const options = new df.RetryOptions(1000, 3);
  const results = (yield context.df.Task.all([
    context.df.callActivityWithRetry("FlakyActivity", options, { key: `${key}-a`, failTimes: 2 }),
    context.df.callActivity("Echo", "plain-1"),
    context.df.callActivityWithRetry("FlakyActivity", options, { key: `${key}-b`, failTimes: 1 }),
    context.df.callActivity("Echo", "plain-2"),
  ])) as unknown[];
  const after = yield context.df.callActivity("Echo", "after");
  return [...results, after];
});

/** Task.any of an activity and a durable timer: which one wins. */
orchestration("TimerRace", function* (context: OrchestrationContext) {
  const { sleepMs, timeoutMs } = context.df.getInput() as { sleepMs: number; timeoutMs: number };
  const work = context.df.callActivity("Sleep", sleepMs);
  const deadline = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timeoutMs));
  const winner = yield context.df.Task.any([work, deadline]);
  if (winner === work) {
    deadline.cancel();
    return { winner: "activity", result: work.result };
  }
  return { winner: "timer", at: context.df.currentUtcDateTime.toISOString() };
});

/** A durable timer long enough to be split by the SDK (over 6 days). */
orchestration("LongTimer", function* (context: OrchestrationContext) {
  const days = context.df.getInput() as number;
  const start = context.df.currentUtcDateTime.getTime();
  yield context.df.createTimer(new Date(start + days * 86_400_000));
  return (context.df.currentUtcDateTime.getTime() - start) / 86_400_000;
});

/** Waits for an approval event, with a timeout; sets custom status while waiting. */
orchestration("Approval", function* (context: OrchestrationContext) {
  const timeoutMs = (context.df.getInput() as number) ?? 3_600_000;
  context.df.setCustomStatus({ stage: "waiting for approval" });
  const approval = context.df.waitForExternalEvent("Approval");
  const timeout = context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + timeoutMs));
  const winner = yield context.df.Task.any([approval, timeout]);
  if (winner === approval) {
    timeout.cancel();
    context.df.setCustomStatus({ stage: "approved" });
    return { approved: approval.result };
  }
  context.df.setCustomStatus({ stage: "timed out" });
  return { approved: null };
});

/** Waits for two events, in order. */
orchestration("TwoEvents", function* (context: OrchestrationContext) {
  const first = yield context.df.waitForExternalEvent("First");
  const second = yield context.df.waitForExternalEvent("Second");
  return [first, second];
});

orchestration("Child", function* (context: OrchestrationContext) {
  const x = context.df.getInput() as number;
  const doubled = (yield context.df.callActivity("Add", { a: x, b: x })) as number;
  return { doubled, parent: context.df.parentInstanceId };
});

orchestration("FailingChild", function* (context: OrchestrationContext) {
  yield context.df.callActivity("Echo", "child-before-failure");
  throw new Error("child orchestration gave up");
});

/** Calls a good child and a failing child; the failure is caught. */
orchestration("Parent", function* (context: OrchestrationContext) {
  const good = yield context.df.callSubOrchestrator("Child", 21, `${context.df.instanceId}-child`);
  let caught: string | undefined;
  try {
    yield context.df.callSubOrchestrator("FailingChild", undefined);
  } catch (err) {
    caught = (err as Error).message;
  }
  return { good, caught };
});

/** callSubOrchestratorWithRetry of a child that always fails. */
orchestration("ParentRetry", function* (context: OrchestrationContext) {
  try {
    yield context.df.callSubOrchestratorWithRetry("FailingChild", new df.RetryOptions(500, 2));
    return "unexpected success";
  } catch (err) {
    return `caught after retries: ${(err as Error).message}`;
  }
});

/** Counts to the input with continueAsNew, one activity per execution. */
orchestration("Counter", function* (context: OrchestrationContext) {
  const { n, until } = context.df.getInput() as { n: number; until: number };
  yield context.df.callActivity("Echo", `count ${n}`);
  if (n < until) {
    context.df.continueAsNew({ n: n + 1, until });
    return undefined;
  }
  return n;
});

/** Changes its input object, then waits twice: each episode must start from the input as sent. */
orchestration("MutatesInput", function* (context: OrchestrationContext) {
  const input = context.df.getInput() as { seen: number };
  input.seen += 1;
  yield context.df.callActivity("Echo", "one");
  yield context.df.callActivity("Echo", "two");
  return input.seen;
});

orchestration("Fails", function* (context: OrchestrationContext) {
  yield context.df.callActivity("Echo", "before");
  throw new Error("orchestration gave up on purpose");
});

/** An activity failure that the orchestrator does not catch. */
orchestration("UncaughtActivityFailure", function* (context: OrchestrationContext) {
  yield context.df.callActivity("Boom");
});

/** Catches an activity's failure and returns what the SDK handed over. */
orchestration("CatchActivityFailure", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity("Boom");
    return "unexpected success";
  } catch (err) {
    const e = err as Error & { failureDetails?: { errorType: string; errorMessage: string; stackTrace?: string } };
    return { message: e.message, details: e.failureDetails && { ...e.failureDetails, isCausedBy: undefined } };
  }
});

orchestration("CatchLeakyFailure", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity("Leaky");
    return "unexpected success";
  } catch (err) {
    return (err as Error).message;
  }
});

orchestration("UnknownActivity", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity("NoSuchActivity", 1);
    return "unexpected success";
  } catch (err) {
    return (err as Error).message;
  }
});

orchestration("HangingActivity", function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity("Hang");
    return "unexpected success";
  } catch (err) {
    return (err as Error).message;
  }
});

// Mutable module state read by orchestrator code: exactly what the determinism check is for.
let nonDeterministicEpisodes = 0;
orchestration("NonDeterministic", function* (context: OrchestrationContext) {
  const name = nonDeterministicEpisodes++ === 0 ? "Echo" : "Noop";
  yield context.df.callActivity(name, "x");
  yield context.df.callActivity("Echo", "y");
  return "done";
});

// ---- patterns of the durable-functions samples, for the runtime conformance suite ----

/** Monitor: poll a status every 10 minutes until it reports done, then act once. */
orchestration("Monitor", function* (context: OrchestrationContext) {
  const { key, readyAfter } = context.df.getInput() as { key: string; readyAfter: number };
  let polls = 0;
  for (;;) {
    polls += 1;
    const ready = (yield context.df.callActivity("CheckStatus", { key, readyAfter })) as boolean;
    if (ready) break;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 10 * 60_000));
  }
  yield context.df.callActivity("Echo", `alert ${key}`);
  return polls;
});

/** A Task.any race whose loser is awaited afterwards on its own (no new compound). */
orchestration("RaceLoserAwaitedLater", function* (context: OrchestrationContext) {
  const slow = context.df.callActivity("Sleep", 80);
  const fast = context.df.callActivity("Echo", "fast");
  const winner = yield context.df.Task.any([slow, fast]);
  const first = winner === fast ? "fast" : "slow";
  const late = yield slow;
  return { first, late };
});

/** Fan-out/fan-in whose results feed one more activity. */
orchestration("FanOutFanIn", function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const parts = (yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity("Add", { a: i, b: i })))) as number[];
  return yield context.df.callActivity("Add", { a: parts.reduce((x, y) => x + y, 0), b: 0 });
});

/** Wrong: a new Task.any over a task an earlier Task.any already scheduled (durable-js issue 574). */
orchestration("ReyieldInNewAny", function* (context: OrchestrationContext) {
  const slow = context.df.callActivity("Sleep", 100);
  const fast = context.df.callActivity("Echo", "a");
  yield context.df.Task.any([slow, fast]);
  const next = context.df.callActivity("Echo", "b");
  yield context.df.Task.any([slow, next]);
  return "unreachable in Azure";
});

/** Wrong in Azure: catching a Task.all failure and moving on while another child still runs. */
orchestration("CatchAllThenMoveOn", function* (context: OrchestrationContext) {
  try {
    yield context.df.Task.all([context.df.callActivity("Boom"), context.df.callActivity("Sleep", 100)]);
  } catch {
    // The SDK resumes at the first failure; the extension's Task.WhenAll waits for every child.
  }
  yield context.df.callActivity("Echo", "after");
  return "done";
});
