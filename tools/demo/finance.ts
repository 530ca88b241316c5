// The demo's finance scenario (seed 000 "Financial ML"): generate the day's files and upload them,
// load them with finance_elt (its sensors find them at once; in a host, their arrival would have
// started the run), train and plot the four models with finance_ml; then the tables' row counts,
// each model's R2 and where its plot is.
import { postgresPool } from "../../functions/hooks/postgres";
import { FINANCE } from "../../orchestrations/finance";
import type { CliRuntime } from "../dagrun/cli-runtime";
import { awaitRun, startRun } from "../dagrun/run-dag";
import type { RunReport } from "../dagrun/run-report";
import { formatTable, runSummary } from "../dagrun/run-table";

export const FINANCE_DAGS = ["finance_generate_and_upload", "finance_elt", "finance_ml"];

async function run(rt: CliRuntime, dagId: string, conf: Record<string, unknown> = {}): Promise<RunReport> {
  const dag = rt.requireDag(dagId);
  const started = Date.now();
  const record = await startRun(rt, dag, { runType: "manual", logicalDate: new Date().toISOString(), conf }, true);
  const report = await awaitRun(rt, dag, record, started);
  console.log(`\n== ${dagId}\n${runSummary(report)}`);
  return report;
}

const fixed = (v: unknown, d: number) => (typeof v === "number" ? v.toFixed(d) : String(v ?? ""));

export async function runFinanceDemo(rt: CliRuntime): Promise<RunReport[]> {
  console.log("\n#### finance: generate and upload, ELT into Postgres, ML training with plots");
  const reports = [await run(rt, "finance_generate_and_upload")];
  reports.push(await run(rt, "finance_elt"));
  const ml = await run(rt, "finance_ml");
  reports.push(ml);
  const pool = postgresPool("postgres_default");
  const counts: string[][] = [];
  for (const table of [FINANCE.chargeTable, FINANCE.satisfactionTable, FINANCE.trainingTable]) {
    // Names from the fixed list above.
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    counts.push([table, String(rows[0].n)]);
  }
  console.log(`\nfinance tables:\n${formatTable(["table", "rows"], counts)}`);
  const { rows } = await pool.query(
    "SELECT model, model_class, r2_train, r2_test, train_seconds, train_rows, test_rows, plot_container, plot_blob FROM model_results WHERE dag_run_id = $1 ORDER BY r2_test DESC",
    [ml.runId],
  );
  console.log(`\nfinance_ml ${ml.runId}: R2 of each model (plots in blob storage)`);
  console.log(formatTable(["model", "class", "R2 train", "R2 test", "fit s", "train/test rows", "plot"],
    rows.map((r) => [r.model, r.model_class, fixed(r.r2_train, 4), fixed(r.r2_test, 4), fixed(r.train_seconds, 2), `${r.train_rows}/${r.test_rows}`,
      r.plot_blob ? `${r.plot_container}/${r.plot_blob}` : "(none)"])));
  return reports;
}
