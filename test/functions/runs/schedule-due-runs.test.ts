// The scheduler's decision per firing, against a real ledger in Azurite: catchup creates every
// missed interval, catchup=false only the latest, a duplicate firing is a no-op, max_active_runs
// holds runs back, a paused DAG creates nothing.
import assert from "node:assert/strict";
import { after, describe, it, type TestContext } from "node:test";
import { createDagRun } from "../../../functions/runs/create-dag-run";
import { describeOutcome, nextDagRun, scheduleDueRuns } from "../../../functions/runs/schedule-due-runs";
import { scheduleFunctionName, scheduleTimerFor } from "../../../functions/triggers/schedule-trigger";
import { dag, operator, type DagDefinition } from "../../../orchestrations/runtime/model/dag";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { needService } from "../../support/services";
import { testLedger, type TestLedger } from "../../support/test-ledger";
import { RecordingStarter } from "./recording-starter";

const NOW = new Date("2024-01-04T12:00:00Z");
const daysRuns = (...days: string[]) => days.map((d) => `scheduled__2024-01-${d}T00:00:00+00:00`);

describe("scheduleDueRuns", () => {
  let shared: TestLedger | undefined;
  after(async () => shared?.drop());
  async function setup(ctx: TestContext, overrides: Partial<DagDefinition> = {}) {
    if (!(await needService(ctx, "azurite"))) return undefined;
    shared ??= testLedger();
    const d = dag({
      dagId: `sched_${ctx.name.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 60)}`,
      schedule: "@daily",
      startDate: "2024-01-01",
      tasks: (t) => {
        t.task("only", operator("bash", { command: "true" }));
      },
      ...overrides,
    });
    return { dag: d, ledger: shared.ledger, starter: new RecordingStarter() };
  }

  it("with catchup creates every missed interval, oldest first, each with its data interval", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const outcome = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(outcome.created, daysRuns("01", "02", "03"));
    assert.deepEqual(s.starter.calls.map((c) => c.instanceId), outcome.created.map((id) => instanceIdFor(s.dag.dagId, id)));
    const runs = await s.ledger.listDagRuns(s.dag.dagId);
    assert.deepEqual(runs.map((r) => [r.run_type, r.state, r.external_trigger, r.data_interval_start, r.data_interval_end]), [
      ["scheduled", "queued", false, "2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"],
      ["scheduled", "queued", false, "2024-01-02T00:00:00+00:00", "2024-01-03T00:00:00+00:00"],
      ["scheduled", "queued", false, "2024-01-03T00:00:00+00:00", "2024-01-04T00:00:00+00:00"],
    ]);
    assert.match(describeOutcome(outcome), /created scheduled__2024-01-01T00:00:00\+00:00, /);
    // The next one is due once its interval ends.
    assert.deepEqual(nextDagRun(s.dag, runs, NOW)?.logicalDate, Date.parse("2024-01-04T00:00:00Z"));
    const tomorrow = await scheduleDueRuns(s.dag, s.ledger, s.starter, new Date("2024-01-05T00:00:00Z"), false);
    assert.deepEqual(tomorrow.created, daysRuns("04"));
  });

  it("with catchup=false creates only the latest completed interval", async (ctx) => {
    const s = await setup(ctx, { catchup: false });
    if (!s) return;
    const outcome = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(outcome.created, daysRuns("03"));
    // Down for two days: still only the latest interval.
    const later = await scheduleDueRuns(s.dag, s.ledger, s.starter, new Date("2024-01-07T00:30:00Z"), false);
    assert.deepEqual(later.created, daysRuns("06"));
  });

  it("treats a duplicate firing, sequential or simultaneous, as a no-op", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const firings = await Promise.all([1, 2, 3].map(() => scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false)));
    assert.deepEqual(firings.flatMap((f) => f.created).sort(), daysRuns("01", "02", "03"));
    assert.equal(s.starter.calls.length, 3);
    const again = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual([again.created, again.existing], [[], []]);
    assert.equal(s.starter.calls.length, 3);
    assert.equal((await s.ledger.listDagRuns(s.dag.dagId)).length, 3);
  });

  it("holds due runs back while max_active_runs are queued or running", async (ctx) => {
    const s = await setup(ctx, { maxActiveRuns: 2 });
    if (!s) return;
    const first = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(first.created, daysRuns("01", "02"));
    assert.equal(first.heldByMaxActiveRuns, 1);
    assert.match(describeOutcome(first), /1 due run\(s\) wait for max_active_runs/);

    await s.ledger.updateDagRun(s.dag.dagId, first.created[0], { state: "running" });
    const blocked = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual([blocked.created, blocked.activeRuns, blocked.heldByMaxActiveRuns], [[], 2, 1]);

    await s.ledger.updateDagRun(s.dag.dagId, first.created[0], { state: "success" });
    const freed = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(freed.created, daysRuns("03"));
    assert.equal(s.starter.calls.length, 3);
  });

  it("creates nothing for a paused DAG, and catches up once it is unpaused", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const paused = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, true);
    assert.deepEqual([paused.paused, paused.created], [true, []]);
    assert.match(describeOutcome(paused), /is paused/);
    assert.deepEqual(await s.ledger.listDagRuns(s.dag.dagId), []);
    assert.equal(s.starter.calls.length, 0);
    const unpaused = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.equal(unpaused.created.length, 3);
  });

  it("skips an interval a manual run already holds, and is not moved by manual runs", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const manual = await createDagRun({ ledger: s.ledger, starter: s.starter, now: NOW }, s.dag, { runType: "manual", logicalDate: "2024-01-02T00:00:00Z" });
    assert.ok(manual.created);
    const outcome = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(outcome.created, daysRuns("01", "03"));
    assert.deepEqual(outcome.existing, ["manual__2024-01-02T00:00:00+00:00"]);
  });

  it("records a run whose orchestration fails to start as failed and goes on with the rest", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    s.starter.failWith = new Error("hub down");
    const outcome = await scheduleDueRuns(s.dag, s.ledger, s.starter, NOW, false);
    assert.deepEqual(outcome.failedToStart.map((f) => f.runId), daysRuns("01", "02", "03"));
    assert.match(describeOutcome(outcome), /failed to start: .*hub down/);
    assert.deepEqual((await s.ledger.listDagRuns(s.dag.dagId)).map((r) => r.state), ["failed", "failed", "failed"]);
  });
});

describe("schedule timers", () => {
  const make = (schedule: DagDefinition["schedule"], dagId = "timer.dag") => dag({ dagId, schedule, startDate: "2024-01-01", tasks: (t) => void t.task("a", operator("bash", {})) });

  it("fire on the DAG's schedule as NCRONTAB; manual-only and @once DAGs get none", () => {
    assert.equal(scheduleTimerFor(make("@daily")), "0 0 0 * * *");
    assert.equal(scheduleTimerFor(make("*/15 6-18 * * 1-5")), "0 */15 6-18 * * 1-5");
    assert.equal(scheduleTimerFor(make({ every: "1h" })), "0 0 */1 * * *");
    assert.equal(scheduleTimerFor(make(null)), null);
    assert.equal(scheduleTimerFor(make("@once")), null);
    assert.throws(() => scheduleTimerFor(make("0 0 1 * 1")), /day-of-month and day-of-week/);
    assert.equal(scheduleFunctionName("my.dag-1_x"), "schedule_my_dag-1_x");
  });
});
