// Benchmark: finance_ml's model jobs at the seed's 2000 trees (--trees N to change), each a real
// spark-submit of jobs/finance_ml/train_job.py run one after another (as the mapped tasks would
// run with a core each), on the training set of a default day of finance_generate_and_upload (10
// file pairs, one seed) built as finance_elt builds model_training. Prints the wall time of each
// job (spark-submit to exit), its fit time and its test R2. Needs `azflow services up postgres spark`.
// Usage: npm run bench -- ml [--trees N]. The last line is one JSON object.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { mockCustomers } from "../functions/callables/finance-generate-and-upload";
import { splitStatements } from "../functions/activities/sql-params";
import { FINANCE_MODELS } from "../orchestrations/finance_ml";
import { applyLocalAppSettings } from "../tools/services/app-env";
import { pgClientConfig } from "../tools/services/postgres";
import { serviceSettings } from "../tools/services/settings";
import { runSparkSubmit } from "../tools/services/spark";
import { positiveIntArg } from "./bench-process";

const s = serviceSettings();

const round = (v: number, d: number) => Number(v.toFixed(d));

async function main(): Promise<void> {
  const trees = positiveIntArg("trees", 2000);
  applyLocalAppSettings(s);
  const runId = `bench_ml_${Date.now().toString(36)}`;
  const pg = new Client(pgClientConfig(s));
  await pg.connect();
  console.log(`ml benchmark: ${trees} trees; node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
  try {
    const ddl = fs.readFileSync(path.join(s.projectRoot, "orchestrations/sql/finance_ml/fetch_data_from_db.sql"), "utf8");
    for (const statement of splitStatements(ddl).filter((x) => x.startsWith("CREATE") || /^--[^]*CREATE TABLE/.test(x))) await pg.query(statement);
    // model_training's rows as finance_elt computes them: the average captured amount of good charges.
    const rows: unknown[][] = [];
    for (let i = 1; i <= 10; i++) {
      for (const c of mockCustomers("bench-ml", i, 1_727_740_800)) {
        const good = c.charges.filter((ch) => ch.status === "succeeded").map((ch) => Number(ch.amount_captured));
        if (!good.length) continue;
        const sat = c.satisfaction;
        rows.push([runId, sat.customer_id, sat.customer_satisfaction_speed, sat.customer_satisfaction_product, sat.customer_satisfaction_service,
          sat.product_type, Math.round((good.reduce((a, b) => a + b, 0) / good.length) * 100) / 100]);
      }
    }
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500);
      await pg.query(`INSERT INTO ml_training_sets VALUES ${chunk.map((_, j) => `(${Array.from({ length: 7 }, (__, k) => `$${j * 7 + k + 1}`).join(", ")})`).join(", ")}`, chunk.flat());
    }
    console.log(`training set              ${rows.length} customers`);
    const job = (name: string, args: string[]) => runSparkSubmit(s, {
      app: path.join(s.projectRoot, "jobs/finance_ml", name), appArgs: args, driverMemory: "1g",
      pyFiles: [path.join(s.projectRoot, "jobs/common/azflow_job.py"), path.join(s.projectRoot, "jobs/finance_ml/finance_models.py")],
    }, 3_600_000);
    let started = Date.now();
    const features = await job("feature_job.py", ["--run-id", runId]);
    if (features.code !== 0) throw new Error(`feature job failed: ${features.stderr.slice(-2000)}`);
    console.log(`feature_data_task         ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const figures: Record<string, number> = { trees, rows: rows.length };
    for (const model of FINANCE_MODELS) {
      started = Date.now();
      const r = await job("train_job.py", ["--run-id", runId, "--model", model, "--n-estimators", String(trees)]);
      const wall = (Date.now() - started) / 1000;
      if (r.code !== 0) throw new Error(`${model} failed: ${r.stderr.slice(-2000)}`);
      const res = (await pg.query("SELECT r2_test, r2_train, train_seconds FROM model_results WHERE dag_run_id = $1 AND model = $2", [runId, model])).rows[0];
      console.log(`${model.padEnd(25)} ${wall.toFixed(1)} s wall (fit ${Number(res.train_seconds).toFixed(2)} s), R2 test ${Number(res.r2_test).toFixed(4)}, train ${Number(res.r2_train).toFixed(4)}`);
      Object.assign(figures, { [`${model}_s`]: round(wall, 1), [`${model}_fit_s`]: round(Number(res.train_seconds), 2), [`${model}_test_r2`]: round(Number(res.r2_test), 4) });
    }
    console.log(JSON.stringify(figures));
  } finally {
    for (const t of ["ml_training_sets", "ml_feature_sets", "ml_features", "ml_predictions", "model_results"]) await pg.query(`DELETE FROM ${t} WHERE dag_run_id = $1`, [runId]).catch(() => undefined);
    await pg.end();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
