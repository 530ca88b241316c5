// Benchmark: what a task costs on the local runtime, by DAG shape: a chain of 300, a fan-out of
// 500, a mixed 200 with branches and the 500-task DAG of mixed shapes (bench/apps), each in its
// own process (wall seconds of a warm run, ms per task instance, peak resident memory, Durable
// actions per task instance); each shape again as a user runs it, `azflow dags test` in a new
// process; and a one-task `azflow dags test` from a cold process. With `--airflow`, Airflow
// 2.10's `airflow dags test` runs the same shapes in the same run (bench/airflow/, a venv under
// .local/bench-airflow), and the ratios compare the two commands, each from a new process.
// Runs on an Azurite of its own, fresh and in memory (bench/fresh-azurite.ts), as Airflow's side
// gets a new SQLite database. Prints readable lines, then one JSON object.
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { runAirflowShapes } from "./airflow/run-airflow";
import { useFreshAzurite } from "./fresh-azurite";

const REPO = path.resolve(__dirname, "..", "..");
const SHAPES = [
  { key: "chain300", dagId: "bench_chain300" },
  { key: "fanout500", dagId: "bench_fanout500" },
  { key: "mixed200", dagId: "bench_mixed200" },
  { key: "dag500", dagId: "bench_dag500" },
] as const;
const TARGETS = { dag500_s: 3, fanout500_rss_mb: 200, actions_per_task: 1.2, one_task_cold_s: 0.5, airflow_ratio_min: 20 };

interface ShapeResult {
  seconds: number;
  cold_seconds: number;
  instances: number;
  actions: number;
  rss_mb: number;
}

function runShape(dagId: string): ShapeResult {
  const r = spawnSync(process.execPath, [path.join(__dirname, "dag-shape.js"), dagId], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const last = r.stdout.trim().split("\n").pop() ?? "";
  if (r.status !== 0 || !last.startsWith("{")) throw new Error(`${dagId}: exited ${r.status}\n${r.stderr.slice(-2000)}`);
  return JSON.parse(last) as ShapeResult;
}

/** Seconds of `azflow dags test <dagId> [args]` in a new process, as a user runs it. */
function dagsTest(dagId: string, args: string[]): number {
  const started = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [path.join(REPO, "dist", "tools", "cli", "main.js"), "dags", "test", dagId, "--quiet", "--no-start", ...args], { cwd: REPO, encoding: "utf8" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (r.status !== 0) throw new Error(`dags test ${dagId} exited ${r.status}: ${r.stdout.slice(-1000)}${r.stderr.slice(-1000)}`);
  return seconds;
}

/** `azflow dags test child_dag_1` (one bash task) from a new process. */
function oneTaskCold(): number {
  return dagsTest("child_dag_1", ["--conf", '{"message":"bench"}']);
}

const round = (value: number, digits = 3) => Number(value.toFixed(digits));

async function main(args: string[]): Promise<void> {
  console.log(`dag benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, load ${os.loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  const figures: Record<string, number> = {};
  const rows: string[][] = [["shape", "task instances", "warm s", "ms/task", "peak RSS MB", "actions/task", "dags test s"]];
  const shapesApp = path.join(__dirname, "apps", "shapes.js");
  for (const shape of SHAPES) {
    const r = runShape(shape.dagId);
    const perTask = (r.seconds * 1000) / r.instances;
    const command = dagsTest(shape.dagId, ["--app", shapesApp]);
    figures[`${shape.key}_s`] = round(r.seconds);
    figures[`${shape.key}_ms_per_task`] = round(perTask, 2);
    figures[`${shape.key}_rss_mb`] = r.rss_mb;
    figures[`${shape.key}_actions_per_task`] = round(r.actions / r.instances, 3);
    figures[`${shape.key}_dags_test_s`] = round(command);
    rows.push([shape.key, String(r.instances), r.seconds.toFixed(3), perTask.toFixed(2), String(r.rss_mb), (r.actions / r.instances).toFixed(3), command.toFixed(3)]);
  }
  figures.actions_per_task = figures.dag500_actions_per_task;
  figures.one_task_cold_s = round(oneTaskCold());
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  for (const row of rows) console.log(row.map((cell, i) => cell.padEnd(widths[i])).join("  "));
  console.log(`one-task dags test, cold process: ${figures.one_task_cold_s} s`);
  if (args.includes("--airflow")) {
    const airflow = await runAirflowShapes(SHAPES.filter((s) => s.key !== "dag500").map((s) => s.key));
    const ratios: number[] = [];
    for (const [key, seconds] of Object.entries(airflow)) {
      figures[`airflow_${key}_s`] = round(seconds);
      // Like for like: both commands from a new process (start-up, DAG loading and the run).
      const ratio = seconds / figures[`${key}_dags_test_s`];
      figures[`airflow_ratio_${key}`] = round(ratio, 1);
      ratios.push(ratio);
      console.log(`airflow dags test ${key}: ${seconds.toFixed(2)} s; azflow dags test ${figures[`${key}_dags_test_s`]} s: ${ratio.toFixed(1)}x faster`);
    }
    if (ratios.length) figures.airflow_ratio_min = round(Math.min(...ratios), 1);
  }
  for (const [key, target] of Object.entries(TARGETS)) {
    if (figures[key] === undefined) continue;
    const ok = key === "airflow_ratio_min" ? figures[key] >= target : figures[key] <= target;
    console.log(`${key.padEnd(18)} ${String(figures[key]).padStart(8)}  target ${key === "airflow_ratio_min" ? ">=" : "<="} ${target}  ${ok ? "ok" : "OVER"}`);
  }
  console.log(JSON.stringify(figures));
}

async function benchOnFreshAzurite(args: string[]): Promise<void> {
  const stop = await useFreshAzurite();
  try {
    await main(args);
  } finally {
    await stop();
  }
}

benchOnFreshAzurite(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
