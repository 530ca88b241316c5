// Airflow 2.10's `airflow dags test` on the bench shapes, for `npm run bench -- dag --airflow`:
// a venv with apache-airflow from PyPI (bench/requirements-airflow.txt) under .local/bench-airflow,
// a throwaway AIRFLOW_HOME with SQLite, each shape timed as a user runs it (a new process).
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const REPO = path.resolve(__dirname, "..", "..", "..");
const VENV = path.join(REPO, ".local", "bench-airflow");

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): void {
  const r = spawnSync(cmd, args, { env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}): ${(r.stderr || r.stdout).slice(-2000)}`);
}

function ensureVenv(): string {
  const python = path.join(VENV, "bin", "python");
  const airflow = path.join(VENV, "bin", "airflow");
  if (fs.existsSync(airflow)) return airflow;
  console.log(`creating ${VENV} with apache-airflow (a few minutes, once)`);
  run("python3", ["-m", "venv", VENV], process.env, "python3 -m venv");
  run(python, ["-m", "pip", "install", "--quiet", "-r", path.join(REPO, "bench", "requirements-airflow.txt")], process.env, "pip install apache-airflow");
  return airflow;
}

/** Seconds of `airflow dags test <shape>` per shape key (bench_<key>). */
export async function runAirflowShapes(keys: string[]): Promise<Record<string, number>> {
  const airflow = ensureVenv();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-bench-airflow-"));
  const dags = path.join(home, "dags");
  fs.mkdirSync(dags);
  fs.copyFileSync(path.join(REPO, "bench", "airflow", "shapes.py"), path.join(dags, "shapes.py"));
  const env = {
    ...process.env,
    AIRFLOW_HOME: home,
    AIRFLOW__CORE__LOAD_EXAMPLES: "False",
    AIRFLOW__CORE__DAGS_FOLDER: dags,
    AIRFLOW__CORE__UNIT_TEST_MODE: "False",
    AIRFLOW__LOGGING__LOGGING_LEVEL: "WARNING",
  };
  try {
    run(airflow, ["db", "migrate"], env, "airflow db migrate");
    const out: Record<string, number> = {};
    for (const key of keys) {
      const started = process.hrtime.bigint();
      run(airflow, ["dags", "test", `bench_${key}`, "2024-06-01"], env, `airflow dags test bench_${key}`);
      out[key] = Number(process.hrtime.bigint() - started) / 1e9;
    }
    return out;
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
