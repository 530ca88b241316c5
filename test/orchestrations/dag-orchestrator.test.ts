// The generic DAG orchestrator end to end on the local runtime (virtual clock, real activities,
// the ledger in Azurite): retries and their backoff, execution timeouts, sensors with and without
// soft_fail, mapping (empty lists, None results, cross product), XCom offload, dagrun_timeout.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { attemptsOf, runDag, startTestRuntime, testAppEntry, waitsBetweenAttempts } from "../support/dag-runs";
import { needService } from "../support/services";

type SemanticsApp = typeof import("../apps/dag-semantics/index");

describe("DAG orchestrator semantics", () => {
  let rt: LocalDagRuntime;
  let app: SemanticsApp;

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    rt = await startTestRuntime("dag-semantics");
    // The same module instance the runtime loaded: its call records are what the app saw.
    app = (await import(testAppEntry("dag-semantics"))) as SemanticsApp;
  });
  after(async () => rt?.close());

  it("retries with retry_delay, exponential backoff capped by max_retry_delay, then fails with the failure callback", async () => {
    const r = await runDag(rt, "sem_retries");
    assert.equal(r.output.state, "failed");
    assert.equal(r.ti("flaky").state, "success");
    assert.equal(r.ti("flaky").try_number, 3);
    assert.equal(r.ti("backoff").state, "success");
    assert.equal(r.ti("backoff").try_number, 4);
    assert.equal(r.ti("hopeless").state, "failed");
    assert.equal(r.ti("hopeless").try_number, 2);
    assert.equal(r.ti("hopeless").max_tries, 1, "Airflow's max_tries is the task's retries");
    assert.match(r.ti("hopeless").error ?? "", /failing try 2 on purpose/);
    const tries = app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === "flaky").map((c) => c.tryNumber);
    assert.deepEqual(tries, [1, 2, 3]);
    // flaky: 10, 10; hopeless: 60; backoff: try 1 in [10, 20), try 2 in [20, 25] (capped), try 3 capped at 25.
    assert.deepEqual(waitsBetweenAttempts(r.history, "flaky"), [10, 10]);
    assert.deepEqual(waitsBetweenAttempts(r.history, "hopeless"), [60]);
    const backoff = waitsBetweenAttempts(r.history, "backoff");
    assert.equal(backoff.length, 3, `waits ${backoff}`);
    assert.ok(backoff[0] >= 10 && backoff[0] < 20, `first backoff ${backoff[0]}`);
    assert.ok(backoff[1] >= 20 && backoff[1] <= 25, `second backoff ${backoff[1]}`);
    assert.equal(backoff[2], 25);
    const callback = app.callbackCalls.find((c) => c.taskId === "hopeless");
    assert.ok(callback, "the failure callback ran");
    assert.equal(callback.state, "failed");
    assert.equal(app.callbackCalls.filter((c) => c.taskId === "flaky").length, 0, "no failure callback for a task that recovered");
  });

  it("an attempt over execution_timeout fails the task", async () => {
    const r = await runDag(rt, "sem_timeout");
    assert.equal(r.output.state, "failed");
    assert.equal(r.ti("slow").state, "failed");
    assert.match(r.ti("slow").error ?? "", /execution_timeout \(1 s\)/);
  });

  it("sensors: done after three pokes; a timeout fails without retries, or skips with soft_fail", async () => {
    const r = await runDag(rt, "sem_sensors");
    const pokes = (taskId: string) => app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === taskId).length;
    assert.equal(r.ti("eventually").state, "success");
    assert.equal(pokes("eventually"), 3);
    assert.equal(r.ti("never_hard").state, "failed");
    assert.equal(r.ti("never_hard").try_number, 1, "a sensor timeout is not retried");
    assert.match(r.ti("never_hard").error ?? "", /Sensor has timed out/);
    // poke 5 s, timeout 15 s: pokes at 0, 5, 10 and 15 s.
    assert.equal(pokes("never_hard"), 4);
    assert.equal(r.ti("after_hard").state, "upstream_failed");
    assert.equal(r.ti("never_soft").state, "skipped");
    assert.equal(r.ti("after_soft").state, "skipped");
    assert.equal(r.output.state, "failed");
  });

  it("a reschedule-mode sensor's timeout counts from its first try, across a retry", async () => {
    const r = await runDag(rt, "sem_sensor_retry");
    const pokes = app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === "flaky_sensor");
    // t0 not done, t5 error (retry in 5 s), t10 try 2 not done, t15 not done and 15 s since t0.
    assert.deepEqual(pokes.map((c) => c.tryNumber), [1, 1, 2, 2]);
    assert.equal(r.ti("flaky_sensor").state, "failed");
    assert.equal(r.ti("flaky_sensor").try_number, 2);
    assert.match(r.ti("flaky_sensor").error ?? "", /Sensor has timed out/);
  });

  it("execution_timeout bounds a poke-mode sensor's whole try, not each poke; the retry gets a new deadline", async () => {
    const r = await runDag(rt, "sem_poke_execution_timeout");
    const pokes = app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === "poke_mode").map((c) => c.tryNumber);
    // Each try pokes at 0, 5 and 10 s; its 12 s deadline ends it before the poke at 15 s.
    assert.deepEqual(pokes, [1, 1, 1, 2, 2, 2]);
    assert.equal(r.ti("poke_mode").state, "failed");
    assert.equal(r.ti("poke_mode").try_number, 2);
    assert.match(r.ti("poke_mode").error ?? "", /execution_timeout \(12 s\)/);
  });

  it("mapping: None results are dropped downstream, an empty list skips, expand is a cross product", async () => {
    const r = await runDag(rt, "sem_mapping");
    assert.equal(r.output.state, "success");
    assert.deepEqual([0, 1, 2].map((i) => r.ti(`doubled[${i}]`).state), ["success", "success", "success"]);
    const collect = JSON.parse(r.ti("collect").xcom ?? "null");
    assert.deepEqual(collect, { count: 2, first: 2, last: 6 });
    assert.equal(r.ti("mapped_over_nothing").state, "skipped");
    assert.equal(r.ti("after_nothing").state, "skipped");
    const cross = app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === "cross")
      .sort((a, b) => a.mapIndex - b.mapIndex)
      .map((c) => `${String(c.kwargs.a)}${String(c.kwargs.b)}`);
    assert.deepEqual(cross, ["1x", "1y", "1z", "2x", "2y", "2z"]);
  });

  it("a large XCom goes to blob storage and comes back whole, also item by item to a mapped task", async () => {
    const r = await runDag(rt, "sem_offload");
    assert.equal(r.output.state, "success");
    assert.match(r.ti("big").xcom ?? "", /\$xcomBlob/, "the ledger holds a reference, not the list");
    const summary = JSON.parse(r.ti("summary").xcom ?? "null");
    assert.equal(summary.count, 200);
    assert.deepEqual(summary.first.i, 0);
    assert.deepEqual(summary.last.i, 199);
    const perItem = app.calls.filter((c) => c.runId === r.run.dag_run_id && c.taskId === "per_item").sort((a, b) => a.mapIndex - b.mapIndex);
    assert.equal(perItem.length, 200);
    assert.deepEqual(perItem.map((c) => (c.kwargs.item as { i: number }).i), Array.from({ length: 200 }, (_, i) => i));
    // The list (200 padded items) never enters orchestration history; single items may.
    const padded = r.history.map((e) => JSON.stringify(e).split("x".repeat(100)).length - 1);
    assert.ok(Math.max(...padded) <= 2, `an event holds ${Math.max(...padded)} padded items`);
  });

  it("a scheduled run that ends starts the next due run of a catchup backlog held by max_active_runs", async () => {
    const { scheduleDueRuns } = await import("../../functions/runs/schedule-due-runs");
    const { getDag } = await import("../../functions/dag-registry");
    const dag = getDag(app.CATCHUP_DAG_ID)!;
    const first = await scheduleDueRuns(dag, rt.ledger, rt.starter, new Date(), false);
    assert.equal(first.created.length, 1, "max_active_runs 1: one run at a time");
    const deadline = Date.now() + 60_000;
    let runs = await rt.ledger.listDagRuns(dag.dagId);
    while (!(runs.length === 3 && runs.every((r) => r.state === "success"))) {
      assert.ok(Date.now() < deadline, `backlog not drained: ${JSON.stringify(runs.map((r) => [r.dag_run_id, r.state]))}`);
      await new Promise((r) => setTimeout(r, 200));
      runs = await rt.ledger.listDagRuns(dag.dagId);
    }
    assert.deepEqual(runs.map((r) => r.run_type), ["scheduled", "scheduled", "scheduled"]);
    const days = runs.map((r) => r.logical_date.slice(0, 10));
    assert.equal(new Set(days).size, 3, "three different intervals");
  });

  it("a task finishing after data_interval_end + sla is recorded as an SLA miss; one on time is not", async () => {
    const r = await runDag(rt, "sem_sla", { logicalDate: new Date().toISOString() });
    assert.equal(r.output.state, "success");
    const deadline = Date.parse(r.run.data_interval_end ?? "") + 5_000;
    assert.equal(Date.parse(r.ti("late").sla_missed_deadline ?? ""), deadline);
    assert.equal(r.ti("on_time").sla_missed_deadline, undefined);
  });

  it("depends_on_past: the first run runs; after a failed run the next waits and never runs the task", async () => {
    const first = await runDag(rt, app.PAST_DAG_ID, { logicalDate: "2024-05-01T00:00:00Z", conf: { fail: "yes" } });
    assert.equal(first.ti("gate").state, "failed");
    const second = await runDag(rt, app.PAST_DAG_ID, { logicalDate: "2024-05-02T00:00:00Z", conf: { fail: "no" } });
    const ranInSecond = app.calls.filter((c) => c.runId === second.run.dag_run_id && c.taskId === "gate");
    assert.equal(ranInSecond.length, 0, "the task waited on the previous run's failure");
    assert.equal(second.output.state, "failed");
    assert.match(second.output.reason ?? "", /dagrun_timeout/);
    // An earlier logical date has no previous run: it runs at once.
    const earliest = await runDag(rt, app.PAST_DAG_ID, { logicalDate: "2024-04-30T00:00:00Z", conf: { fail: "no" } });
    assert.equal(earliest.ti("gate").state, "success");
  });

  it("a run whose last task finishes by the orchestrator's own wait ends then, not at its dagrun_timeout", async () => {
    const r = await runDag(rt, "sem_timeout_not_reached");
    assert.equal(r.output.state, "success", JSON.stringify(r.output));
    assert.equal(r.output.reason, null);
    assert.equal(r.ti("wait").state, "success");
    assert.equal(r.ti("on_failure_only").state, "skipped");
  });

  it("dagrun_timeout fails the run and skips what has not finished", async () => {
    const r = await runDag(rt, "sem_dagrun_timeout");
    assert.equal(r.output.state, "failed");
    assert.match(r.output.reason ?? "", /dagrun_timeout \(30 s\)/);
    assert.equal(r.ti("waits_forever").state, "skipped");
    assert.equal(r.ti("never_reached").state, "skipped");
    assert.equal(r.run.state, "failed");
  });

  it("starts work the moment it is due while an unrelated long activity runs: a downstream, a retry, the next poke", async () => {
    const r = await runDag(rt, "sem_timely");
    assert.equal(r.output.state, "success");
    const slowEnded = attemptsOf(r.history, "slow")[0].endedMs!;
    const started = (taskId: string, n: number) => attemptsOf(r.history, taskId)[n].scheduledMs;
    assert.ok(started("b", 0) < slowEnded, "b started while slow still ran");
    assert.ok(started("flaky", 1) < slowEnded, "flaky's retry started while slow still ran");
    assert.ok(started("sensor", 1) < slowEnded, "the sensor's second poke ran while slow still ran");
    assert.deepEqual(waitsBetweenAttempts(r.history, "flaky"), [1]);
    assert.deepEqual(waitsBetweenAttempts(r.history, "sensor"), [1]);
  });

  it("a branch overrules a direct downstream that already failed: it ends skipped and the run succeeds (Airflow 2.10)", async () => {
    const r = await runDag(rt, "sem_branch_overrules_finished");
    assert.equal(r.ti("d").state, "skipped");
    assert.match(r.ti("d").note ?? "", /Skipped by branch 'b'/);
    assert.equal(r.ti("c").state, "success");
    assert.equal(r.output.state, "success");
  });

  it("a branch overrules a direct downstream already upstream_failed: skipped, run success (Airflow 2.10)", async () => {
    const r = await runDag(rt, "sem_branch_overrules_upstream_failed");
    assert.equal(r.ti("a").state, "failed");
    assert.equal(r.ti("c").state, "success");
    assert.equal(r.ti("d").state, "skipped");
    // b (always) runs at once, like a: whichever ends first, the branch's decision stands.
    assert.match(r.ti("d").note ?? "", /Skipped by branch 'b'/);
    assert.equal(r.output.state, "success");
  });

  it("a branch stops a direct downstream that is still running: skipped, its late result ignored", async () => {
    const r = await runDag(rt, "sem_branch_stops_running");
    assert.equal(r.ti("d").state, "skipped");
    assert.match(r.ti("d").note ?? "", /after this task was running/);
    assert.equal(r.ti("d").xcom ?? null, null);
    assert.equal(r.output.state, "success");
    assert.equal(attemptsOf(r.history, "d").length, 1, "d started before the branch decided");
  });

  it("accepts Airflow's deprecated rule names dummy and none_failed_or_skipped as always and none_failed_min_one_success", async () => {
    const r = await runDag(rt, "sem_deprecated_rules");
    assert.equal(r.ti("still_runs").state, "success");
    assert.equal(r.ti("right").state, "skipped");
    assert.equal(r.ti("join").state, "success");
  });
  it("a long chain continues as new executions between its tasks and ends as one run: XComs, mapped results, a retry, a branch and a parallel task carried across", async () => {
    const r = await runDag(rt, "sem_long_chain");
    assert.equal(r.output.state, "success");
    assert.equal(r.output.reason, null);
    assert.equal(r.run.state, "success");
    // About 240 activities, continuing after 100 at the next point where nothing runs or waits.
    const continuations = r.output.actions?.continuations ?? 0;
    assert.ok(continuations >= 1 && continuations <= 2, `continuations: ${JSON.stringify(r.output.actions)}`);
    assert.equal(r.ti("c_229").xcom, "228", "each task added one to the XCom of the task before it");
    assert.deepEqual(JSON.parse(r.ti("collect").xcom ?? "null"), { count: 2, first: 2, last: 6 }, "the mapped results of the first execution");
    assert.deepEqual([0, 1, 2].map((i) => r.ti(`doubled[${i}]`).state), ["success", "success", "success"]);
    assert.equal(r.ti("c_120").try_number, 2);
    assert.equal(r.ti("c_120").state, "success");
    assert.equal(r.ti("detour").state, "skipped");
    assert.equal(r.ti("side").state, "success");
    assert.equal(r.ti("end").state, "success");
    const key = (taskId: string, mapIndex: number) => `${taskId}[${mapIndex}]`;
    const summary = new Map(r.output.tasks.map((s) => [key(s.taskId, s.mapIndex), [s.state, s.tryNumber]]));
    assert.equal(summary.size, 238);
    for (const ti of r.tasks) if (summary.has(key(ti.task_id, ti.map_index))) assert.deepEqual([ti.state, ti.try_number], summary.get(key(ti.task_id, ti.map_index)), key(ti.task_id, ti.map_index));
    // Nothing ran again in a later execution: one call per try of each instance.
    const calls = new Map<string, number>();
    for (const c of app.calls.filter((x) => x.runId === r.run.dag_run_id)) calls.set(key(c.taskId, c.mapIndex), (calls.get(key(c.taskId, c.mapIndex)) ?? 0) + 1);
    assert.equal(calls.get("c_120[-1]"), 2);
    assert.deepEqual([...calls.entries()].filter(([id, n]) => id !== "c_120[-1]" && n !== 1), []);
    assert.equal(calls.size, 237, "every instance but the skipped detour ran");
    // The last execution's history holds only what followed its start.
    const scheduled = r.history.filter((e) => e.EventType === 4).length;
    assert.ok(scheduled <= 140, `the last execution scheduled ${scheduled} activities`);
  });
});
