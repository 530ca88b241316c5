// parent_dag (PIPELINES.md section 4): the drawn number, kept in XCom, decides the branch; the
// chosen child runs with the conf it was given; `finish` succeeds with none_failed_min_one_success
// where Airflow's default rule would skip it.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime, type FinishedRun } from "../support/dag-runs";
import { needService } from "../support/services";

async function childRun(rt: LocalDagRuntime, parent: FinishedRun, triggerTask: string): Promise<{ dagId: string; runId: string; tasks: Awaited<ReturnType<LocalDagRuntime["ledger"]["listTaskInstances"]>> }> {
  const triggered = JSON.parse(parent.ti(triggerTask).xcom ?? "null") as { trigger_dag_id: string; trigger_run_id: string };
  const status = await rt.engine.waitForCompletion(instanceIdFor(triggered.trigger_dag_id, triggered.trigger_run_id), { timeoutMs: 60_000 });
  assert.equal(status.runtimeStatus, "Completed");
  return { dagId: triggered.trigger_dag_id, runId: triggered.trigger_run_id, tasks: await rt.ledger.listTaskInstances(triggered.trigger_dag_id, triggered.trigger_run_id) };
}

describe("parent_dag: branching on a drawn number and triggering a child DAG", () => {
  let rt: LocalDagRuntime;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    rt = await startTestRuntime();
  });
  after(async () => rt?.close());

  it("follows the branch the drawn number picks, each parity at least once, and finish succeeds", async () => {
    const seen = new Set<string>();
    // The draw is random; a dozen runs see both parities except with probability 2^-11.
    for (let i = 0; i < 12 && seen.size < 2; i++) {
      const r = await runDag(rt, "parent_dag");
      const drawn = JSON.parse(r.ti("random_generator").xcom ?? "null") as number;
      assert.ok(Number.isInteger(drawn) && drawn >= 0 && drawn <= 9, `drew ${drawn}`);
      const chosen = drawn % 2 === 0 ? "trigger_A" : "trigger_B";
      const other = chosen === "trigger_A" ? "trigger_B" : "trigger_A";
      assert.equal(JSON.parse(r.ti("make_decision").xcom ?? "null"), chosen);
      assert.equal(r.ti(chosen).state, "success");
      assert.equal(r.ti(other).state, "skipped");
      assert.equal(r.ti("finish").state, "success");
      assert.equal(r.output.state, "success");
      const child = await childRun(rt, r, chosen);
      assert.equal(child.dagId, chosen === "trigger_A" ? "child_dag_1" : "child_dag_2");
      assert.ok(child.tasks.every((t) => t.state === "success"), JSON.stringify(child.tasks.map((t) => [t.task_id, t.state])));
      if (chosen === "trigger_A") {
        const echoed = JSON.parse(child.tasks.find((t) => t.task_id === "downstream_task")?.xcom ?? "null");
        assert.equal(echoed, "Upstream message: Message to pass to downstream DAG A.");
      }
      seen.add(chosen);
    }
    assert.equal(seen.size, 2, "both branches were taken");
  });
});
