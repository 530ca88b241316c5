// createDagRun against a real ledger in Azurite: defaults, Airflow's uniqueness rules for run id
// and logical date, input validation, and what happens when the orchestration cannot start.
import assert from "node:assert/strict";
import { after, describe, it, type TestContext } from "node:test";
import { createDagRun, DagRunStartError } from "../../../functions/runs/create-dag-run";
import { DagRunRequestError } from "../../../functions/runs/run-request-error";
import { dag, operator } from "../../../orchestrations/runtime/model/dag";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { needService } from "../../support/services";
import { asWritten, testLedger, type TestLedger } from "../../support/test-ledger";
import { RecordingStarter } from "./recording-starter";

const daily = dag({
  dagId: "create_run_daily",
  schedule: "0 6 * * *",
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("only", operator("bash", { command: "true" }));
  },
});
const NOW = new Date("2024-03-10T12:34:56.789Z");

describe("createDagRun", () => {
  let shared: TestLedger | undefined;
  after(async () => shared?.drop());
  async function setup(ctx: TestContext) {
    if (!(await needService(ctx, "azurite"))) return undefined;
    shared ??= testLedger();
    const starter = new RecordingStarter();
    return { ledger: shared.ledger, starter, deps: { ledger: shared.ledger, starter, now: NOW } };
  }
  // Each test uses its own DAG id so they share the tables without sharing runs.
  const dagFor = (ctx: TestContext) => ({ ...daily, dagId: `create_${ctx.name.replace(/[^A-Za-z0-9]+/g, "_").slice(0, 60)}` });

  it("queues a manual run with Airflow's defaults and starts it under the derived instance id", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    const result = await createDagRun(s.deps, d, { runType: "manual", conf: { table: "x" }, note: "by hand" });
    assert.ok(result.created);
    const runId = "manual__2024-03-10T12:34:56.789000+00:00";
    const expected = {
      dag_id: d.dagId,
      dag_run_id: runId,
      instance_id: instanceIdFor(d.dagId, runId),
      logical_date: "2024-03-10T12:34:56.789000+00:00",
      // Manual run on a cron DAG: the interval ending at the schedule point at or before it.
      data_interval_start: "2024-03-09T06:00:00+00:00",
      data_interval_end: "2024-03-10T06:00:00+00:00",
      run_type: "manual",
      state: "queued",
      external_trigger: true,
      conf: { table: "x" },
      note: "by hand",
      queued_at: "2024-03-10T12:34:56.789000+00:00",
      start_date: null,
      end_date: null,
    };
    assert.deepEqual(result.run, expected);
    assert.deepEqual(asWritten(await s.ledger.getDagRun(d.dagId, runId)), expected);
    assert.deepEqual(s.starter.calls, [{
      orchestration: d.dagId,
      instanceId: expected.instance_id,
      input: {
        dagId: d.dagId, runId, runType: "manual", logicalDate: expected.logical_date,
        dataIntervalStart: expected.data_interval_start, dataIntervalEnd: expected.data_interval_end,
        conf: { table: "x" }, externalTrigger: true,
      },
    }]);
  });

  it("gives a scheduled run the timetable's interval starting at its logical date", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    const result = await createDagRun(s.deps, d, { runType: "scheduled", logicalDate: "2024-03-01T06:00:00Z" });
    assert.ok(result.created);
    assert.equal(result.run.dag_run_id, "scheduled__2024-03-01T06:00:00+00:00");
    assert.equal(result.run.data_interval_start, "2024-03-01T06:00:00+00:00");
    assert.equal(result.run.data_interval_end, "2024-03-02T06:00:00+00:00");
    assert.equal(result.run.external_trigger, false);
    assert.deepEqual(result.run.conf, {});
  });

  it("refuses a second run with the same run id or the same logical date, starting nothing", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    const first = await createDagRun(s.deps, d, { runType: "manual", runId: "my_run", logicalDate: "2024-02-01T00:00:00+00:00" });
    assert.ok(first.created);

    const sameId = await createDagRun(s.deps, d, { runType: "manual", runId: "my_run", logicalDate: "2024-02-02T00:00:00+00:00" });
    assert.deepEqual(!sameId.created && { ...sameId, existing: asWritten(sameId.existing) }, { created: false, conflict: "run_id", existing: first.run });

    // Same instant written differently still collides.
    const sameDate = await createDagRun(s.deps, d, { runType: "manual", runId: "other_run", logicalDate: "2024-02-01T01:00:00+01:00" });
    assert.deepEqual(!sameDate.created && { ...sameDate, existing: asWritten(sameDate.existing) }, { created: false, conflict: "logical_date", existing: first.run });

    // A scheduled run for that date collides on the date, as in Airflow.
    const scheduled = await createDagRun(s.deps, d, { runType: "scheduled", logicalDate: "2024-02-01T00:00:00Z" });
    assert.equal(!scheduled.created && scheduled.conflict, "logical_date");

    assert.equal(s.starter.calls.length, 1);
    assert.equal((await s.ledger.listDagRuns(d.dagId)).length, 1);
  });

  it("lets only one of several simultaneous identical requests through (a duplicate firing)", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => createDagRun(s.deps, d, { runType: "scheduled", logicalDate: "2024-03-05T06:00:00Z" })));
    assert.equal(results.filter((r) => r.created).length, 1);
    assert.equal(s.starter.calls.length, 1);
    for (const r of results) if (!r.created) assert.equal(r.existing.dag_run_id, "scheduled__2024-03-05T06:00:00+00:00");
  });

  it("validates conf, run id, dates and note before writing anything", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    const bad: [Parameters<typeof createDagRun>[2], RegExp][] = [
      [{ runType: "manual", conf: [1, 2] }, /conf must be a JSON object/],
      [{ runType: "manual", conf: "a=1" }, /conf must be a JSON object/],
      [{ runType: "manual", conf: { n: Number.NaN } }, /only JSON values/],
      [{ runType: "manual", conf: { when: new Date() } }, /only JSON values/],
      [{ runType: "manual", runId: "a/b" }, /does not match the pattern/],
      [{ runType: "manual", runId: "" }, /does not match the pattern/],
      [{ runType: "manual", runId: "x".repeat(251) }, /does not match the pattern/],
      [{ runType: "manual", logicalDate: "yesterday" }, /logical_date: 'yesterday' is not an RFC 3339 date-time/],
      [{ runType: "manual", logicalDate: "0001-01-01T00:00:00+01:00" }, /outside the range of dates/],
      [{ runType: "manual", runId: ".." }, /removed from URL paths/],
      [{ runType: "manual", dataInterval: { start: "2024-01-02", end: "2024-01-01" } }, /must not be before/],
      [{ runType: "manual", note: 5 as unknown as string }, /note must be a string/],
    ];
    for (const [request, message] of bad) {
      await assert.rejects(createDagRun(s.deps, d, request), (err: Error) => err instanceof DagRunRequestError && message.test(err.message), String(message));
    }
    assert.deepEqual(await s.ledger.listDagRuns(d.dagId), []);
    assert.equal(s.starter.calls.length, 0);
    const ok = await createDagRun(s.deps, d, { runType: "manual", runId: "Run_1.a~b:c+d-e", conf: null, dataInterval: { start: "2024-01-01", end: "2024-01-02" } });
    assert.ok(ok.created);
    assert.deepEqual([ok.run.data_interval_start, ok.run.data_interval_end], ["2024-01-01T00:00:00+00:00", "2024-01-02T00:00:00+00:00"]);
  });

  it("marks the run failed when its orchestration cannot start, and does not retry it", async (ctx) => {
    const s = await setup(ctx);
    if (!s) return;
    const d = dagFor(ctx);
    s.starter.failWith = new Error("task hub unreachable");
    await assert.rejects(createDagRun(s.deps, d, { runType: "manual", runId: "doomed" }), (err: Error) => {
      assert.ok(err instanceof DagRunStartError);
      assert.match(err.message, /could not be started: task hub unreachable/);
      assert.equal(err.run.state, "failed");
      return true;
    });
    const stored = await s.ledger.getDagRun(d.dagId, "doomed");
    assert.equal(stored?.state, "failed");
    assert.equal(stored?.end_date, "2024-03-10T12:34:56.789000+00:00");
    s.starter.failWith = undefined;
    const again = await createDagRun(s.deps, d, { runType: "manual", runId: "doomed" });
    // A defaulted logical date is never shared between two requests (even at the same "now"), so
    // the run id is what collides.
    assert.equal(!again.created && again.conflict, "run_id");
    assert.equal(!again.created && again.existing.state, "failed");
    assert.equal(s.starter.calls.length, 0);
  });
});
