// Runtime conformance: the durable-functions samples' patterns on the local runtime, replayed as
// the Durable extension replays them, with every activity's invocation count and every result
// asserted; and the patterns that break in Azure, reported by name instead of mis-running.
import assert from "node:assert/strict";
import { beforeEach, describe, it } from "node:test";
import { EventType, type DurableEngine } from "../../../tools/devhost";
import { invocations, resetState } from "../../apps/durable-samples/state";
import { sampleApp, testEngine } from "./helpers";

const app = sampleApp("durable-samples");

async function run(engine: DurableEngine, name: string, input?: unknown) {
  const id = await engine.start(name, input);
  const status = await engine.waitForCompletion(id, { timeoutMs: 15_000 });
  const history = engine.getStatus(id, { showHistory: true })?.history ?? [];
  return { id, status, history };
}

function count(prefix: string): number {
  return invocations.filter((i) => i.startsWith(prefix)).length;
}

/** Scheduling events answer one completion each and no sequence id is used twice. */
function assertEachScheduledOnce(history: { EventType: EventType; EventId: number }[]): void {
  const ids = history.filter((e) => e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated || e.EventType === EventType.SubOrchestrationInstanceCreated).map((e) => e.EventId);
  assert.deepEqual(ids, [...new Set(ids)].sort((a, b) => a - b), "sequence ids are assigned once each, in order");
}

describe("local runtime conformance with the Durable extension's replay", () => {
  beforeEach(() => resetState());

  it("function chaining: each activity once, results passed along", async () => {
    const { status, history } = await run(testEngine(app), "Chain", 5);
    assert.equal(status.output, 15);
    assert.equal(count("Add:"), 5);
    assertEachScheduledOnce(history);
  });

  it("fan-out/fan-in: every activity once, then one more with the sum", async () => {
    const { status, history } = await run(testEngine(app), "FanOutFanIn", 20);
    assert.equal(status.output, 2 * ((19 * 20) / 2));
    assert.equal(count("Add:"), 21);
    assertEachScheduledOnce(history);
  });

  it("monitor: polls on durable timers until ready, then acts once", async () => {
    const { status, history } = await run(testEngine(app), "Monitor", { key: "m", readyAfter: 4 });
    assert.equal(status.output, 4);
    assert.equal(count("CheckStatus:m#"), 4);
    assert.deepEqual(invocations.filter((i) => i.startsWith("Echo:")), ['Echo:"alert m"']);
    assert.equal(history.filter((e) => e.EventType === EventType.TimerFired).length, 3);
  });

  it("human interaction: the approval event wins over the timeout, or the timeout fires", async () => {
    const engine = testEngine(app);
    const id = await engine.start("Approval", 3_600_000);
    await engine.raiseEvent(id, "Approval", { by: "ops" });
    assert.deepEqual((await engine.waitForCompletion(id)).output, { approved: { by: "ops" } });
    const timedOut = await run(engine, "Approval", 60_000);
    assert.deepEqual(timedOut.status.output, { approved: null });
  });

  it("eternal orchestration: continueAsNew runs each execution's activity once", async () => {
    const { status } = await run(testEngine(app), "Counter", { n: 1, until: 4 });
    assert.equal(status.output, 4);
    assert.deepEqual(invocations, ['Echo:"count 1"', 'Echo:"count 2"', 'Echo:"count 3"', 'Echo:"count 4"']);
  });

  it("each episode deserializes the input anew: a change the orchestrator made to it is gone in the next episode", async () => {
    const { status } = await run(testEngine(app), "MutatesInput", { seen: 0 });
    assert.equal(status.output, 1);
  });

  it("retries: attempts and backoff timers take the ids the framework gives them", async () => {
    const { status, history } = await run(testEngine(app), "RetryBatch", "c");
    assert.deepEqual(status.output, [3, "plain-1", 2, "plain-2", "after"]);
    assert.equal(count("FlakyActivity:c-a#"), 3);
    assert.equal(count("FlakyActivity:c-b#"), 2);
    assert.equal(count('Echo:"plain'), 2);
    assertEachScheduledOnce(history);
  });

  it("sub-orchestrations: the child's activity runs once and its result and failure reach the parent", async () => {
    const { status } = await run(testEngine(app), "Parent");
    const out = status.output as { good: { doubled: number }; caught: string };
    assert.equal(out.good.doubled, 42);
    assert.match(out.caught, /^Orchestrator function 'FailingChild' failed: child orchestration gave up/);
    assert.equal(count("Add:"), 1);
    assert.equal(count('Echo:"child-before-failure"'), 1);
  });

  it("a Task.any race whose loser is awaited later on its own: both run once", async () => {
    const { status, history } = await run(testEngine(app), "RaceLoserAwaitedLater");
    assert.deepEqual(status.output, { first: "fast", late: "slept 80" });
    assert.equal(count("Sleep:"), 1);
    assert.equal(count("Echo:"), 1);
    assertEachScheduledOnce(history);
  });

  it("names the task a new Task.any would schedule a second time in Azure (durable-js issue 574)", async () => {
    const { status } = await run(testEngine(app), "ReyieldInNewAny");
    assert.equal(status.runtimeStatus, "Failed");
    assert.equal(status.failure?.ErrorType, "NonDeterministicOrchestrationException");
    assert.match(String(status.output), /would schedule activity 'Sleep' \(input 100\) a second time, as task #2 \(it was task #0\)/);
    assert.equal(count("Sleep:"), 1, "the duplicate is reported, not run");
  });

  it("reports moving on from a failed Task.all while the extension still waits for its other children", async () => {
    const { status } = await run(testEngine(app), "CatchAllThenMoveOn");
    assert.equal(status.runtimeStatus, "Failed");
    assert.match(String(status.output), /waits for activity .Echo. \(input "after"\) as task #2, but the Durable extension never schedules a task #2 \(it still waits on top-level action #0\)/);
  });
});
