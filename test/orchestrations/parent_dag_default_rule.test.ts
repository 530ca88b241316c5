// parent_dag as the Airflow original wrote it (finish with the default all_success rule): the
// branch skips finish. A separate file, so this app loads in a process of its own.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime } from "../support/dag-runs";
import { needService } from "../support/services";

describe("parent_dag with Airflow's default trigger rule on finish", () => {
  let rt: LocalDagRuntime;
  before(async (t) => {
    const ctx = t as unknown as TestContext;
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    rt = await startTestRuntime("parent-default-rule");
  });
  after(async () => rt?.close());

  it("skips finish after the branch, as Airflow does", async () => {
    const r = await runDag(rt, "parent_dag_default_rule");
    assert.equal(r.ti("finish").state, "skipped");
    assert.equal(r.output.state, "success", "a run whose leaves are skipped still succeeds");
  });
});
