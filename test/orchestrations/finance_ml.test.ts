// finance_ml end to end on the local runtime: the day's files generated and loaded by the two
// other finance DAGs, then the four models trained as Python jobs through real spark-submit (one
// mapped task each), model_results written per (run, model) and one PNG per model in blob
// storage; and a training set too small for the models fails each model task with one clear line.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime } from "../support/dag-runs";
import { clearFinanceInbox, freshLogicalDate, financeContainer } from "../support/finance-data";
import { needService, pgConfig, uniqueName } from "../support/services";
import { assertActionCosts, assertScheduledOnce } from "../support/replay-checks";

const MODELS = ["random_forest", "linear_regression", "ridge", "lasso"];

describe("finance_ml", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres")) || !(await needService(ctx, "spark"))) return;
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await pg?.end();
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
  });

  it("trains the four models on what finance_elt loaded, with R2, weights and a plot each", { timeout: 600_000 }, async () => {
    await clearFinanceInbox();
    const generated = await runDag(rt, "finance_generate_and_upload", { logicalDate: freshLogicalDate(), conf: { files: 3, seed: uniqueName("fin-ml-") } });
    assert.equal(generated.output.state, "success");
    const loaded = await runDag(rt, "finance_elt", { logicalDate: freshLogicalDate() });
    assert.equal(loaded.output.state, "success");

    const r = await runDag(rt, "finance_ml", { logicalDate: freshLogicalDate(), conf: { n_estimators: 50 }, timeoutMs: 480_000 });
    assert.equal(r.output.state, "success", JSON.stringify(r.tasks.filter((t) => t.state !== "success").map((t) => [t.task_id, t.map_index, t.state, t.error])));
    assert.deepEqual(r.tasks.filter((t) => t.task_id === "train_model_task").map((t) => t.map_index).sort(), [0, 1, 2, 3]);
    // The replay checks every other shipped DAG gets in test/orchestrations/shipped-dags.test.ts.
    assertScheduledOnce("finance_ml", r.history);
    assertActionCosts("finance_ml", r.history, r.output);
    const snapshot = Number((await pg.query("SELECT count(*)::int AS n FROM ml_training_sets WHERE dag_run_id = $1", [r.run.dag_run_id])).rows[0].n);
    assert.equal(snapshot, Number((await pg.query("SELECT count(*)::int AS n FROM model_training")).rows[0].n));
    const results = (await pg.query("SELECT * FROM model_results WHERE dag_run_id = $1 ORDER BY model", [r.run.dag_run_id])).rows;
    assert.deepEqual(results.map((x) => x.model), [...MODELS].sort());
    for (const x of results) {
      assert.equal(x.train_rows + x.test_rows, snapshot);
      assert.equal(x.test_rows, Math.ceil(snapshot * 0.2));
      // The generated data's structure (product B customers who rate speed highly spend most) is learnable.
      assert.ok(x.r2_test > 0.5 && x.r2_test <= 1 && x.r2_train > 0.5, `${x.model}: R2 ${x.r2_train} / ${x.r2_test}`);
      assert.deepEqual(Object.keys(x.feature_weights).sort(),
        ["customer_satisfaction_product", "customer_satisfaction_service", "customer_satisfaction_speed", "product_type_product_B"]);
      assert.equal(x.weight_kind, x.model === "random_forest" ? "importance" : "coefficient");
      assert.equal(x.plot_container, "finance-ml");
      assert.match(x.plot_blob, new RegExp(`^plots/${r.run.logical_date.slice(0, 10)}/.+/${x.model_class}_plot_results\\.png$`));
      const png = await financeContainer("finance-ml").getBlobClient(x.plot_blob).downloadToBuffer();
      assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "a PNG");
      assert.equal(png.readUInt32BE(16), 1400, "the seed's 14 x 7 inch figure at 100 dpi");
    }
    assert.deepEqual(results.find((x) => x.model === "random_forest").params, { n_estimators: 50 });
    assert.ok([0.1, 1, 10].includes(results.find((x) => x.model === "ridge").params.alpha));
    const predictions = Number((await pg.query("SELECT count(*)::int AS n FROM ml_predictions WHERE dag_run_id = $1", [r.run.dag_run_id])).rows[0].n);
    assert.equal(predictions, snapshot * MODELS.length);
  });

  it("a training set smaller than the cross-validation folds fails each model task with one clear line", { timeout: 600_000 }, async () => {
    const keep = uniqueName("model_training_keep_");
    await pg.query(`CREATE TABLE ${keep} AS SELECT * FROM model_training`);
    try {
      await pg.query("DELETE FROM model_training WHERE customer_id NOT IN (SELECT customer_id FROM model_training ORDER BY customer_id LIMIT 4)");
      const r = await runDag(rt, "finance_ml", { logicalDate: freshLogicalDate(), conf: { n_estimators: 10 }, timeoutMs: 480_000 });
      assert.equal(r.output.state, "failed");
      assert.equal(r.ti("feature_data_task").state, "success");
      for (let i = 0; i < MODELS.length; i++) {
        const ti = r.ti(`train_model_task[${i}]`);
        assert.equal(ti.state, "failed");
        assert.match(ti.error ?? "", new RegExp(`ERROR: finance_ml ${MODELS[i]}: the training set has 4 row\\(s\\) \\(3 to train, 1 to test\\); training needs at least 5 to train`));
        assert.doesNotMatch(ti.error ?? "", /Traceback|File ".*\.py", line/);
      }
      assert.equal(r.ti("plot_model_results").state, "upstream_failed");
    } finally {
      await pg.query(`INSERT INTO model_training SELECT * FROM ${keep} ON CONFLICT (customer_id) DO NOTHING`);
      await pg.query(`DROP TABLE ${keep}`);
    }
  });
});
