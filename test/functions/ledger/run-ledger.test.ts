// The run ledger against Azurite's Table service: the insert-if-absent guard, ordering, task
// instances, and keys built from run ids with characters Table Storage forbids in keys.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { DagRunRecord, TaskInstanceRecord } from "../../../functions/ledger/records";
import { asWritten, suiteLedger } from "../../support/test-ledger";

function run(overrides: Partial<DagRunRecord> & Pick<DagRunRecord, "dag_id" | "dag_run_id" | "logical_date">): DagRunRecord {
  return {
    instance_id: `${overrides.dag_id}:${overrides.dag_run_id}`,
    data_interval_start: overrides.logical_date,
    data_interval_end: overrides.logical_date,
    run_type: "manual",
    state: "queued",
    external_trigger: true,
    conf: {},
    note: null,
    queued_at: "2024-01-01T00:00:00+00:00",
    start_date: null,
    end_date: null,
    ...overrides,
  };
}

function task(overrides: Partial<TaskInstanceRecord> & Pick<TaskInstanceRecord, "dag_id" | "dag_run_id" | "task_id">): TaskInstanceRecord {
  return {
    map_index: -1, state: "success", try_number: 1, max_tries: 0, operator: "bash",
    start_date: null, end_date: null, duration: null, error: null, xcom: null,
    ...overrides,
  };
}

describe("run ledger (Azurite)", () => {
  const { ledgerFor, drop } = suiteLedger();
  after(drop);

  it("inserts a run only if absent and keeps the first writer's record", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const first = run({ dag_id: "guard", dag_run_id: "r1", logical_date: "2024-01-01T00:00:00+00:00", conf: { who: "first", n: [1, 2] }, note: "first" });
    assert.equal(await t.ledger.createDagRun(first), true);
    assert.equal(await t.ledger.createDagRun({ ...first, conf: { who: "second" }, note: "second" }), false);
    assert.deepEqual(asWritten(await t.ledger.getDagRun("guard", "r1")), first);
    const racers = await Promise.all([1, 2, 3, 4].map((i) => t.ledger.createDagRun(run({ dag_id: "guard", dag_run_id: "race", logical_date: "2024-01-02T00:00:00+00:00", note: String(i) }))));
    assert.equal(racers.filter(Boolean).length, 1, "exactly one concurrent insert wins");
    assert.equal(await t.ledger.getDagRun("guard", "missing"), undefined);
  });

  it("keeps (dag_id, logical_date) unique under a race of different run ids, and frees the date on delete", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const date = "2024-02-01T00:00:00+00:00";
    const racers = await Promise.all([1, 2, 3, 4].map((i) => t.ledger.createDagRun(run({ dag_id: "by_date", dag_run_id: `manual_${i}`, logical_date: date }))));
    assert.equal(racers.filter(Boolean).length, 1, "one run per logical date");
    const winner = (await t.ledger.findDagRunByLogicalDate("by_date", "2024-02-01T00:00:00Z"))!;
    assert.ok(winner, "found by the same instant written another way");
    assert.deepEqual((await t.ledger.listDagRuns("by_date")).map((r) => r.dag_run_id), [winner.dag_run_id], "index rows are not runs");
    await t.ledger.deleteRun("by_date", winner.dag_run_id);
    assert.equal(await t.ledger.findDagRunByLogicalDate("by_date", date), undefined);
    assert.equal(await t.ledger.createDagRun(run({ dag_id: "by_date", dag_run_id: "again", logical_date: date })), true);
  });

  it("lists a DAG's runs oldest logical date first, only that DAG's", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    for (const day of ["03", "01", "02"]) {
      await t.ledger.createDagRun(run({ dag_id: "order", dag_run_id: `manual__2024-02-${day}`, logical_date: `2024-02-${day}T00:00:00+00:00` }));
    }
    await t.ledger.createDagRun(run({ dag_id: "order.other", dag_run_id: "x", logical_date: "2024-01-01T00:00:00+00:00" }));
    const listed = await t.ledger.listDagRuns("order");
    assert.deepEqual(listed.map((r) => r.dag_run_id), ["manual__2024-02-01", "manual__2024-02-02", "manual__2024-02-03"]);
    assert.deepEqual((await t.ledger.listDagRuns("order.other")).map((r) => r.dag_run_id), ["x"]);
    assert.deepEqual(await t.ledger.listDagRuns("no_such_dag"), []);
  });

  it("finds a run by logical date whatever the instant's text form", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    await t.ledger.createDagRun(run({ dag_id: "bydate", dag_run_id: "a", logical_date: "2024-03-01T06:00:00+00:00" }));
    assert.equal((await t.ledger.findDagRunByLogicalDate("bydate", "2024-03-01T06:00:00Z"))?.dag_run_id, "a");
    assert.equal((await t.ledger.findDagRunByLogicalDate("bydate", "2024-03-01T08:00:00+02:00"))?.dag_run_id, "a");
    assert.equal(await t.ledger.findDagRunByLogicalDate("bydate", "2024-03-01T06:00:01Z"), undefined);
  });

  it("merges updates into a run", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const queued = run({ dag_id: "update", dag_run_id: "u", logical_date: "2024-04-01T00:00:00+00:00", conf: { k: "v" } });
    await t.ledger.createDagRun(queued);
    await t.ledger.updateDagRun("update", "u", { state: "running", start_date: "2024-04-01T00:00:05+00:00" });
    await t.ledger.updateDagRun("update", "u", { state: "success", end_date: "2024-04-01T00:01:00+00:00" });
    assert.deepEqual(asWritten(await t.ledger.getDagRun("update", "u")), { ...queued, state: "success", start_date: "2024-04-01T00:00:05+00:00", end_date: "2024-04-01T00:01:00+00:00" });
  });

  it("keeps task instances per run, ordered by task id then numeric map index", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const base = { dag_id: "tis", dag_run_id: "r" };
    for (const [taskId, mapIndex] of [["b", 10], ["b", 2], ["a", -1], ["b", 0], ["b", -1]] as const) {
      await t.ledger.putTaskInstance(task({ ...base, task_id: taskId, map_index: mapIndex, duration: 1.5, start_date: "2024-01-01T00:00:00+00:00" }));
    }
    await t.ledger.putTaskInstance(task({ dag_id: "tis", dag_run_id: "other", task_id: "a" }));
    // Upsert replaces: a retry overwrites the earlier try.
    await t.ledger.putTaskInstance(task({ ...base, task_id: "a", state: "failed", try_number: 2, max_tries: 1, error: "boom" }));
    const listed = await t.ledger.listTaskInstances("tis", "r");
    assert.deepEqual(listed.map((ti) => [ti.task_id, ti.map_index]), [["a", -1], ["b", -1], ["b", 0], ["b", 2], ["b", 10]]);
    const { hostname: _unset, ...first } = listed[0];
    assert.deepEqual(asWritten(first), task({ ...base, task_id: "a", state: "failed", try_number: 2, max_tries: 1, error: "boom" }));
    assert.equal(listed[1].duration, 1.5);
    assert.equal((await t.ledger.listTaskInstances("tis", "other")).length, 1);
  });

  it("accepts run ids with characters Table Storage keys forbid, and quotes", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const dagId = "odd.dag-id_1";
    const runIds = ["manual__2024-01-01T00:00:00+00:00", "a/b\\c#d?e", "it's 'quoted'", "tab\there %41 100%", "ünïcødé ✓"];
    for (const [i, runId] of runIds.entries()) {
      const logical = `2024-05-0${i + 1}T00:00:00+00:00`;
      assert.equal(await t.ledger.createDagRun(run({ dag_id: dagId, dag_run_id: runId, logical_date: logical })), true, runId);
      await t.ledger.putTaskInstance(task({ dag_id: dagId, dag_run_id: runId, task_id: "group.task" }));
    }
    for (const runId of runIds) {
      assert.equal((await t.ledger.getDagRun(dagId, runId))?.dag_run_id, runId);
      assert.deepEqual((await t.ledger.listTaskInstances(dagId, runId)).map((ti) => [ti.dag_run_id, ti.task_id]), [[runId, "group.task"]]);
    }
    assert.deepEqual((await t.ledger.listDagRuns(dagId)).map((r) => r.dag_run_id), runIds);
    // "%41" must not collide with "A": keys are encoded, not decoded text.
    assert.equal(await t.ledger.getDagRun(dagId, "tab\there A 100%"), undefined);

    await t.ledger.deleteRun(dagId, "a/b\\c#d?e");
    assert.equal(await t.ledger.getDagRun(dagId, "a/b\\c#d?e"), undefined);
    assert.deepEqual(await t.ledger.listTaskInstances(dagId, "a/b\\c#d?e"), []);
  });
});
