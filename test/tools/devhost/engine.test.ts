// The Durable engine in test mode (virtual clock) against the sample orchestrations.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { EventType, type DurableEngine, type HistoryEvent } from "../../../tools/devhost";
import { sampleApp, testEngine } from "./helpers";
import { concurrency, invocations, resetState } from "../../apps/durable-samples/state";

const app = sampleApp("durable-samples");

type Tagged = HistoryEvent & { RetryOf?: number };

function historyOf(engine: DurableEngine, id: string): Tagged[] {
  const s = engine.getStatus(id, { showHistory: true });
  assert.ok(s?.history, `no history for ${id}`);
  return s.history as Tagged[];
}

function ids(history: HistoryEvent[], type: EventType): number[] {
  return history.filter((e) => e.EventType === type).map((e) => (type === EventType.TaskCompleted || type === EventType.TaskFailed ? (e.TaskScheduledId as number) : type === EventType.TimerFired ? (e.TimerId as number) : e.EventId));
}

/** Every completion answers exactly one scheduling event of the matching kind, and no id is reused. */
function assertIdsConsistent(history: HistoryEvent[]): void {
  const scheduled = new Map<number, EventType>();
  for (const e of history) {
    if (e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated || e.EventType === EventType.SubOrchestrationInstanceCreated) {
      assert.ok(!scheduled.has(e.EventId), `id ${e.EventId} scheduled twice`);
      scheduled.set(e.EventId, e.EventType);
    }
  }
  const answered = new Set<number>();
  for (const e of history) {
    const id = e.TaskScheduledId ?? e.TimerId;
    if (id === undefined) continue;
    const expected = e.TimerId !== undefined ? EventType.TimerCreated : e.EventType === EventType.TaskCompleted || e.EventType === EventType.TaskFailed ? EventType.TaskScheduled : EventType.SubOrchestrationInstanceCreated;
    assert.equal(scheduled.get(id), expected, `completion ${EventType[e.EventType]} for id ${id} has no matching scheduling event`);
    assert.ok(!answered.has(id), `id ${id} completed twice`);
    answered.add(id);
  }
}

async function run(engine: DurableEngine, name: string, input?: unknown, instanceId?: string) {
  const id = await engine.start(name, input, instanceId);
  const status = await engine.waitForCompletion(id, { timeoutMs: 15_000 });
  return { id, status };
}

describe("devhost engine (test mode)", () => {
  beforeEach(() => resetState());

  it("runs an activity chain and a fan-out through the SDK's replay", async () => {
    const engine = testEngine(app);
    const chain = await run(engine, "Chain", 4);
    assert.equal(chain.status.runtimeStatus, "Completed");
    assert.equal(chain.status.output, 1 + 2 + 3 + 4);
    assert.deepEqual(ids(historyOf(engine, chain.id), EventType.TaskScheduled), [0, 1, 2, 3]);
    const fan = await run(engine, "FanOut", 50);
    assert.equal(fan.status.output, (49 * 50) / 2);
    const h = historyOf(engine, fan.id);
    assert.equal(ids(h, EventType.TaskCompleted).length, 50);
    assertIdsConsistent(h);
  });

  it("limits concurrent activities to maxConcurrentActivityFunctions", async () => {
    const engine = testEngine(app, { maxConcurrentActivityFunctions: 3 });
    const { status } = await run(engine, "FanOutTracked", 12);
    assert.equal(status.output, 12);
    assert.equal(concurrency.max, 3);
  });

  it("retries an activity with the host's backoff on the virtual clock, with exact ids", async () => {
    const engine = testEngine(app);
    const started = Date.now();
    const { id, status } = await run(engine, "RetryActivity", { key: "r1", failTimes: 2, attempts: 4, firstMs: 1000, coefficient: 2, maxMs: 1500 });
    assert.ok(Date.now() - started < 1000, "virtual time should skip the backoff");
    const out = status.output as { ok: boolean; attempt: number; elapsedMs: number };
    assert.equal(out.ok, true);
    assert.equal(out.attempt, 3);
    // 1000 ms after attempt 1, then min(1000*2, maxRetryInterval 1500) after attempt 2.
    assert.ok(out.elapsedMs >= 2500 && out.elapsedMs < 2900, `elapsed ${out.elapsedMs}`);
    const h = historyOf(engine, id);
    const backoffs = h.filter((e) => e.EventType === EventType.TimerCreated).map((e) => new Date(e.FireAt as Date).getTime() - e.Timestamp.getTime());
    assert.deepEqual(backoffs, [1000, 1500]);
    // The runtime runs each attempt with a backoff timer between them: attempt, timer, attempt...
    assert.deepEqual(ids(h, EventType.TaskScheduled), [0, 2, 4]);
    assert.deepEqual(ids(h, EventType.TimerCreated), [1, 3]);
    assert.deepEqual(ids(h, EventType.TaskFailed), [0, 2]);
    assert.deepEqual(ids(h, EventType.TaskCompleted), [4]);
    assert.deepEqual(invocations, ["FlakyActivity:r1#1", "FlakyActivity:r1#2", "FlakyActivity:r1#3"]);
  });

  it("fails a retried activity after maxNumberOfAttempts, after the framework's immediate final timer", async () => {
    const engine = testEngine(app);
    const { id, status } = await run(engine, "RetryActivity", { key: "r2", failTimes: 99, attempts: 3, firstMs: 1000, coefficient: 2 });
    const out = status.output as { ok: boolean; error: string; elapsedMs: number };
    assert.equal(out.ok, false);
    assert.match(out.error, /^Activity function 'FlakyActivity' failed: {2}flaky r2 attempt 3 \n /);
    // Backoffs 1000 + 2000 between attempts; after the last attempt the framework still creates a
    // timer (kept for replay compatibility), but one that fires at once.
    assert.ok(out.elapsedMs >= 3000 && out.elapsedMs < 3400, `elapsed ${out.elapsedMs}`);
    const timers = historyOf(engine, id).filter((e) => e.EventType === EventType.TimerCreated).map((e) => new Date(e.FireAt as Date).getTime() - e.Timestamp.getTime());
    assert.deepEqual(timers, [1000, 2000, 0]);
    assert.equal(invocations.length, 3);
  });

  it("reports the hang a retryTimeout causes in Azure: the SDK waits for a backoff timer the framework never creates", async () => {
    const engine = testEngine(app);
    const { status } = await run(engine, "RetryActivity", { key: "r3", failTimes: 99, attempts: 10, firstMs: 1000, timeoutMs: 2500 });
    assert.equal(status.runtimeStatus, "Failed");
    assert.equal(status.failure?.ErrorType, "NonDeterministicOrchestrationException");
    assert.match(String(status.output), /waits for the retry timer of 'FlakyActivity' as task #7, but the Durable extension never schedules a task #7/);
    // Attempts at 0, 1 s, 2 s and 3 s; after the one at 3 s the 2.5 s timeout has passed.
    assert.deepEqual(invocations, ["FlakyActivity:r3#1", "FlakyActivity:r3#2", "FlakyActivity:r3#3", "FlakyActivity:r3#4"]);
  });

  it("keeps ids exact when retried failures and plain completions arrive in one episode", async () => {
    const engine = testEngine(app);
    const { id, status } = await run(engine, "RetryBatch", "b");
    assert.equal(status.runtimeStatus, "Completed", JSON.stringify(status.output));
    assert.deepEqual(status.output, [3, "plain-1", 2, "plain-2", "after"]);
    const h = historyOf(engine, id);
    assertIdsConsistent(h);
    // First episode: a#1=0, plain-1=1, b#1=2, plain-2=3. Both failures land in one episode and
    // the SDK gives their backoff timers 4 and 5; the retries are 6 (a) and 7 (b); a fails
    // again (timer 8, attempt 9); then "after" is 10.
    const scheduled = h.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => `${e.EventId}:${e.Name}:${e.Input}`);
    assert.deepEqual(scheduled, [
      '0:FlakyActivity:{"key":"b-a","failTimes":2}',
      '1:Echo:"plain-1"',
      '2:FlakyActivity:{"key":"b-b","failTimes":1}',
      '3:Echo:"plain-2"',
      '6:FlakyActivity:{"key":"b-a","failTimes":2}',
      '7:FlakyActivity:{"key":"b-b","failTimes":1}',
      '9:FlakyActivity:{"key":"b-a","failTimes":2}',
      '10:Echo:"after"',
    ]);
    assert.deepEqual(ids(h, EventType.TimerCreated), [4, 5, 8]);
  });

  it("races an activity against a durable timer, both ways", async () => {
    const engine = testEngine(app);
    const fast = await run(engine, "TimerRace", { sleepMs: 20, timeoutMs: 60_000 });
    assert.deepEqual(fast.status.output, { winner: "activity", result: "slept 20" });
    const slow = await run(engine, "TimerRace", { sleepMs: 1500, timeoutMs: 100 });
    assert.equal((slow.status.output as { winner: string }).winner, "timer");
  });

  it("splits timers over 6 days into sub-timers and fires them on virtual time", async () => {
    const engine = testEngine(app);
    const started = Date.now();
    const { id, status } = await run(engine, "LongTimer", 10);
    // Virtual time jumps to each fire time; the episode then runs a few real milliseconds later.
    assert.ok(Math.abs((status.output as number) - 10) < 0.001, `elapsed ${String(status.output)} days`);
    assert.ok(Date.now() - started < 2000);
    // The extension splits 10 days into 3-day intervals while 3 days or more remain: 3 + 3 + 3 + 1.
    const fired = historyOf(engine, id).filter((e) => e.EventType === EventType.TimerCreated).map((e) => (new Date(e.FireAt as Date).getTime() - e.Timestamp.getTime()) / 86_400_000);
    assert.deepEqual(fired.map((d) => Math.round(d * 1000) / 1000), [3, 3, 3, 1]);
  });

  it("delivers external events, including one raised before the orchestration waits for it", async () => {
    const engine = testEngine(app);
    const id = await engine.start("TwoEvents");
    await engine.raiseEvent(id, "Second", { n: 2 });
    await engine.raiseEvent(id, "First", { n: 1 });
    const status = await engine.waitForCompletion(id);
    assert.deepEqual(status.output, [{ n: 1 }, { n: 2 }]);
  });

  it("shows custom status while waiting and takes the event over the timeout", async () => {
    const engine = testEngine(app);
    const id = await engine.start("Approval", 3_600_000);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(engine.getStatus(id)?.customStatus, { stage: "waiting for approval" });
    assert.equal(engine.getStatus(id)?.runtimeStatus, "Running");
    await engine.raiseEvent(id, "Approval", { by: "ops" });
    const status = await engine.waitForCompletion(id);
    assert.deepEqual(status.output, { approved: { by: "ops" } });
    assert.deepEqual(status.customStatus, { stage: "approved" });
  });

  it("times out the wait on virtual time when no event comes", async () => {
    const engine = testEngine(app);
    const started = Date.now();
    const { status } = await run(engine, "Approval", 3_600_000);
    assert.deepEqual(status.output, { approved: null });
    assert.deepEqual(status.customStatus, { stage: "timed out" });
    assert.ok(Date.now() - started < 2000);
  });

  it("runs sub-orchestrations and lets the parent catch a failing one", async () => {
    const engine = testEngine(app);
    const { id, status } = await run(engine, "Parent", undefined, "parent-1");
    assert.equal(status.runtimeStatus, "Completed");
    const out = status.output as { good: { doubled: number; parent: string }; caught: string };
    assert.deepEqual(out.good, { doubled: 42, parent: "parent-1" });
    assert.match(out.caught, /child orchestration gave up/);
    assert.equal(engine.getStatus(`${id}-child`)?.runtimeStatus, "Completed");
    const failed = engine.list({ name: "FailingChild" });
    assert.equal(failed.length, 1);
    assert.equal(failed[0].runtimeStatus, "Failed");
    assertIdsConsistent(historyOf(engine, id));
  });

  it("retries a failing sub-orchestration with callSubOrchestratorWithRetry", async () => {
    const engine = testEngine(app);
    const { status } = await run(engine, "ParentRetry");
    assert.match(String(status.output), /^caught after retries: .*child orchestration gave up/);
    assert.equal(engine.list({ name: "FailingChild", runtimeStatus: ["Failed"] }).length, 2);
  });

  it("continues as new with fresh history until done", async () => {
    const engine = testEngine(app);
    const { id, status } = await run(engine, "Counter", { n: 1, until: 3 });
    assert.equal(status.output, 3);
    assert.deepEqual(invocations, ['Echo:"count 1"', 'Echo:"count 2"', 'Echo:"count 3"']);
    const h = historyOf(engine, id);
    const started = h.find((e) => e.EventType === EventType.ExecutionStarted);
    assert.deepEqual(JSON.parse(started?.Input ?? "null"), { n: 3, until: 3 });
    assert.equal(ids(h, EventType.TaskScheduled).length, 1);
  });

  it("terminates, purges and queries instances", async () => {
    const engine = testEngine(app);
    const before = new Date(engine.clock.now().getTime() - 1);
    const waiting = await engine.start("TwoEvents", undefined, "to-terminate");
    const done = await run(engine, "Chain", 1);
    await engine.terminate(waiting, "no longer needed");
    const terminated = await engine.waitForCompletion(waiting);
    assert.equal(terminated.runtimeStatus, "Terminated");
    assert.equal(terminated.output, "no longer needed");
    await assert.rejects(engine.raiseEvent(waiting, "First", 1), /Terminated/);
    await assert.rejects(engine.terminate("nope"), /No instance with ID 'nope'/);

    assert.deepEqual(engine.list({ name: "Chain" }).map((s) => s.instanceId), [done.id]);
    assert.deepEqual(engine.list({ runtimeStatus: ["Terminated"] }).map((s) => s.instanceId), [waiting]);
    assert.equal(engine.list({ createdTimeFrom: before }).length, 2);
    assert.equal(engine.list({ createdTimeFrom: new Date(engine.clock.now().getTime() + 60_000) }).length, 0);

    const running = await engine.start("TwoEvents");
    assert.equal(engine.purge(running), false, "a running instance is not purged");
    assert.equal(engine.purge(done.id), true);
    assert.equal(engine.getStatus(done.id), undefined);
    assert.equal(engine.purgeBy({ runtimeStatus: ["Terminated"] }), 1);
    assert.deepEqual(engine.list().map((s) => s.instanceId), [running]);
    await engine.close();
  });

  it("refuses a second start with the id of a running instance", async () => {
    const engine = testEngine(app);
    await engine.start("TwoEvents", undefined, "dup");
    await assert.rejects(engine.start("Chain", 1, "dup"), /already exists/);
    await engine.close();
  });
});

describe("devhost engine failures", () => {
  beforeEach(() => resetState());

  it("records TaskFailed as the extension does: Reason and Details, no FailureDetails, which the orchestrator can catch", async () => {
    const engine = testEngine(app);
    const { id, status } = await run(engine, "CatchActivityFailure");
    const out = status.output as { message: string; details?: unknown };
    // The host cuts the message after "Exception:", keeping the space that follows it.
    assert.match(out.message, /^Activity function 'Boom' failed: {2}boom: the activity failed \n \{"\$type":"System.Exception/);
    assert.equal(out.details, undefined, "no failureDetails: the extension sends none for JavaScript apps");
    const failed = historyOf(engine, id).find((e) => e.EventType === EventType.TaskFailed);
    assert.equal(failed?.FailureDetails, undefined);
    assert.equal(failed?.Reason, "Activity function 'Boom' failed:  boom: the activity failed");
    const details = JSON.parse(failed?.Details ?? "{}") as { Message: string; InnerException: { Message: string } };
    assert.match(details.InnerException.Message, /^Result: Failure\nException: boom: the activity failed\nStack: TypeError: boom/);
  });

  it("masks credential-looking text in an activity's error message as the host's sanitizer does", async () => {
    const engine = testEngine(app);
    const { id } = await run(engine, "CatchLeakyFailure");
    const failed = historyOf(engine, id).find((e) => e.EventType === EventType.TaskFailed);
    assert.equal(failed?.Reason, "Activity function 'Leaky' failed:  cannot connect to [Hidden Credential]\" (and PublicKeyToken=abc stays)");
  });

  it("fails the orchestration on an uncaught activity failure or its own throw", async () => {
    const engine = testEngine(app);
    const uncaught = await run(engine, "UncaughtActivityFailure");
    assert.equal(uncaught.status.runtimeStatus, "Failed");
    assert.match(String(uncaught.status.output), /boom: the activity failed/);
    const own = await run(engine, "Fails");
    assert.equal(own.status.runtimeStatus, "Failed");
    assert.equal(own.status.output, "Orchestrator function 'Fails' failed: orchestration gave up on purpose");
    assert.equal(own.status.failure?.ErrorMessage, "orchestration gave up on purpose");
    assert.match(own.status.failure?.StackTrace ?? "", /orchestrations\.js/);
  });

  it("fails clearly on unknown function names", async () => {
    const engine = testEngine(app);
    const { status } = await run(engine, "UnknownActivity");
    assert.match(String(status.output), /The function 'NoSuchActivity' doesn't exist, is disabled, or is not an activity function/);
    await assert.rejects(engine.start("NoSuchOrchestration"), /The function 'NoSuchOrchestration' doesn't exist.*orchestration function/);
    await assert.rejects(engine.start("Echo"), /not an orchestration function/);
  });

  it("cuts off a handler that never returns at functionTimeout", async () => {
    const engine = testEngine(app, { functionTimeoutMs: 200 });
    const started = Date.now();
    const { status } = await run(engine, "HangingActivity");
    assert.match(String(status.output), /Timeout value of 00:00:00\.200 exceeded by function 'Hang'/);
    assert.ok(Date.now() - started < 2000);
  });

  it("reports non-determinism found by the final replay, naming the task", async () => {
    const engine = testEngine(app);
    const { status } = await run(engine, "NonDeterministic");
    assert.equal(status.runtimeStatus, "Failed");
    assert.equal(status.failure?.ErrorType, "NonDeterministicOrchestrationException");
    assert.match(String(status.output), /scheduled an activity task with sequence number 0 named 'Echo', but the current orchestration replay instead scheduled activity 'Noop' \(input "x"\)/);
  });

  it("reports a run that cannot make progress instead of hanging", async () => {
    const engine = testEngine(app, { stallTimeoutMs: 300 });
    const id = await engine.start("TwoEvents");
    await assert.rejects(engine.waitForCompletion(id), /cannot make progress.*waits for 'First'/);
    await engine.close();
  });
});
