// startOnBlob's decision per blob event, against a real ledger in Azurite: a blob under a watched
// prefix starts the day's run once (a repeated event finds it), other blobs and paused DAGs start
// nothing, and the daily schedule later finds that day's run instead of creating a second one.
import assert from "node:assert/strict";
import { after, describe, it, type TestContext } from "node:test";
import { startDayRunForBlob, watchedPrefixes } from "../../../functions/runs/blob-started-runs";
import { scheduleDueRuns } from "../../../functions/runs/schedule-due-runs";
import { blobPrefixSensor, dag, empty } from "../../../orchestrations/runtime";
import { needService, uniqueName } from "../../support/services";
import { testLedger, type TestLedger } from "../../support/test-ledger";
import { RecordingStarter } from "./recording-starter";

function eventDrivenDag(startOnBlob = true) {
  return dag({
    dagId: uniqueName("blob_started_"),
    schedule: "@daily",
    startDate: "2024-01-01",
    catchup: false,
    startOnBlob,
    tasks: (t) => {
      const a = t.sensor("wait_a", blobPrefixSensor({ container: "inbox", prefix: "a/" }));
      const b = t.sensor("wait_b", blobPrefixSensor({ container: "inbox", prefix: "b/" }));
      const templated = t.sensor("wait_c", blobPrefixSensor({ container: "inbox", prefix: "{{ ds }}/" }));
      t.list(a, b, templated).then(t.task("after", empty()));
    },
  });
}

describe("startDayRunForBlob", () => {
  let shared: TestLedger | undefined;
  after(async () => shared?.drop());
  const notPaused = { isPaused: async () => false };

  it("starts the UTC day's run once; the schedule then finds it and creates no second run for the day", async (ctx: TestContext) => {
    if (!(await needService(ctx, "azurite"))) return;
    shared ??= testLedger();
    const d = eventDrivenDag();
    assert.deepEqual(watchedPrefixes(d, "inbox"), ["a/", "b/"], "templated prefixes cannot be matched at registration");
    const starter = new RecordingStarter();
    const deps = { ledger: shared.ledger, starter, dagState: notPaused, now: new Date("2024-03-05T13:14:15Z") };
    const first = await startDayRunForBlob(deps, d, "inbox", "a/file.csv");
    assert.deepEqual(first, { dagId: d.dagId, outcome: "created", runId: "dataset_triggered__2024-03-05T00:00:00+00:00", instanceId: `${d.dagId}:dataset_triggered__2024-03-05T00:00:00+00:00` });
    const run = await shared.ledger.getDagRun(d.dagId, "dataset_triggered__2024-03-05T00:00:00+00:00");
    assert.deepEqual([run?.run_type, run?.logical_date, run?.data_interval_start, run?.data_interval_end, run?.external_trigger],
      ["dataset_triggered", "2024-03-05T00:00:00+00:00", "2024-03-05T00:00:00+00:00", "2024-03-06T00:00:00+00:00", false]);
    // Another blob the same day, under either prefix: the day has its run.
    const again = await startDayRunForBlob({ ...deps, now: new Date("2024-03-05T23:59:59Z") }, d, "inbox", "b/other.csv");
    assert.deepEqual(again, { dagId: d.dagId, outcome: "exists", runId: "dataset_triggered__2024-03-05T00:00:00+00:00", state: "queued" });
    assert.equal(starter.calls.length, 1);
    // The next midnight the daily timer's run for 2024-03-05 is due: it exists already.
    const scheduled = await scheduleDueRuns(d, shared.ledger, starter, new Date("2024-03-06T00:00:05Z"), false);
    assert.deepEqual(scheduled.created, []);
    assert.deepEqual(scheduled.existing, ["dataset_triggered__2024-03-05T00:00:00+00:00"]);
    assert.equal(starter.calls.length, 1);
    // A day without a blob still gets its scheduled run.
    const nextDay = await scheduleDueRuns(d, shared.ledger, starter, new Date("2024-03-07T00:00:05Z"), false);
    assert.deepEqual(nextDay.created, ["scheduled__2024-03-06T00:00:00+00:00"]);
  });

  it("starts nothing for a blob no sensor watches, for a DAG that is not event-driven, or while paused", async (ctx: TestContext) => {
    if (!(await needService(ctx, "azurite"))) return;
    shared ??= testLedger();
    const starter = new RecordingStarter();
    const deps = { ledger: shared.ledger, starter, dagState: notPaused, now: new Date("2024-03-05T13:14:15Z") };
    const d = eventDrivenDag();
    assert.equal((await startDayRunForBlob(deps, d, "inbox", "quarantine/a/file.csv")).outcome, "not_watched");
    assert.equal((await startDayRunForBlob(deps, d, "other", "a/file.csv")).outcome, "not_watched");
    assert.equal((await startDayRunForBlob(deps, eventDrivenDag(false), "inbox", "a/file.csv")).outcome, "not_watched");
    assert.equal((await startDayRunForBlob({ ...deps, dagState: { isPaused: async () => true } }, d, "inbox", "a/file.csv")).outcome, "paused");
    assert.equal(starter.calls.length, 0);
    assert.deepEqual(await shared.ledger.listDagRuns(d.dagId), []);
  });
});
