// Spark is pyspark in a project venv plus extra jars from Maven. Nothing runs between jobs:
// "up" means installed, and each job is its own spark-submit on the local master.
import { createHash } from "node:crypto";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { sparkSubmitArgs } from "../../functions/hooks/spark/submit-args";
import { CliError } from "../cli/cli-error";
import { ensureMavenJars, jarsAreReady, listJars } from "./maven-jars";
import { requireJava, requirePython } from "./prerequisites";
import { lastLine, runLogged } from "./run-logged";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";

const VENV_MARKER = ".azflow-requirements.sha256";

function sparkPom(s: ServiceSettings): string {
  return path.join(s.projectRoot, "tools", "services", "maven", "spark-jars.pom.xml");
}

export function venvPython(s: ServiceSettings): string {
  return path.join(s.spark.venv, "bin", "python");
}

export function sparkSubmitPath(s: ServiceSettings): string {
  return path.join(s.spark.venv, "bin", "spark-submit");
}

function requirementsHash(s: ServiceSettings): string {
  return createHash("sha256").update(fs.readFileSync(s.spark.requirements)).digest("hex");
}

function venvIsReady(s: ServiceSettings): boolean {
  try {
    return (
      fs.existsSync(sparkSubmitPath(s)) &&
      fs.readFileSync(path.join(s.spark.venv, VENV_MARKER), "utf8").trim() === requirementsHash(s)
    );
  } catch {
    return false;
  }
}

/** Creates the venv and installs jobs/requirements.txt; reinstalls when the file changes. */
async function ensureVenv(s: ServiceSettings): Promise<void> {
  if (venvIsReady(s)) return;
  requirePython(s.spark.python);
  const logFile = path.join(s.logDir, "pip.log");
  if (!fs.existsSync(venvPython(s))) {
    const made = await runLogged(s.spark.python, ["-m", "venv", s.spark.venv], logFile, { timeoutMs: 5 * 60_000 });
    if (made.code !== 0) {
      throw new CliError(`creating the Python venv at ${s.spark.venv} failed (${lastLine(made.tail)}); install the venv module (e.g. apt-get install python3-venv) and see ${logFile}`);
    }
  }
  fs.rmSync(path.join(s.spark.venv, VENV_MARKER), { force: true });
  const pip = await runLogged(
    venvPython(s),
    ["-m", "pip", "install", "--disable-pip-version-check", "--no-input", "-r", s.spark.requirements],
    logFile,
    { timeoutMs: 30 * 60_000 },
  );
  if (pip.code !== 0) {
    throw new CliError(`pip install -r ${path.relative(s.projectRoot, s.spark.requirements)} failed (${lastLine(pip.tail).slice(0, 200)}); check access to PyPI (or PIP_INDEX_URL) and see ${logFile}`);
  }
  fs.writeFileSync(path.join(s.spark.venv, VENV_MARKER), requirementsHash(s) + "\n");
}

export function sparkJars(s: ServiceSettings): string[] {
  // Before `services up spark` fetched them there are none yet.
  return fs.existsSync(s.spark.jarsDir) ? listJars(s.spark.jarsDir) : [];
}

export interface SparkSubmitOptions {
  /** The PySpark script (or jar) to run. */
  app: string;
  appArgs?: string[];
  name?: string;
  /** Defaults to AZFLOW_SPARK_MASTER (local[2]). */
  master?: string;
  /** Jars beyond the cached ones (Postgres JDBC driver, Kafka source). */
  extraJars?: string[];
  pyFiles?: string[];
  conf?: Record<string, string>;
  driverMemory?: string;
}

export interface SparkSubmitCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** The spark-submit command line for a job on the local Spark, with the cached jars on --jars. */
export function sparkSubmitCommand(s: ServiceSettings, options: SparkSubmitOptions): SparkSubmitCommand {
  const conf: Record<string, string> = {
    // Loopback only, no UI port to collide with another job, small shuffles for small local data.
    "spark.driver.host": s.host,
    "spark.driver.bindAddress": s.host,
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "4",
    "spark.pyspark.python": venvPython(s),
    ...options.conf,
  };
  // The same command line the app's Spark hook builds for its jobs.
  const args = sparkSubmitArgs(options.master ?? s.spark.master, {
    application: options.app, applicationArgs: options.appArgs ?? [], name: options.name ?? "", conf,
    jars: [...sparkJars(s), ...(options.extraJars ?? [])], packages: [], pyFiles: options.pyFiles ?? [], files: [],
    driverMemory: options.driverMemory ?? "512m", envVars: {}, secretEnv: {},
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    SPARK_LOCAL_IP: s.host,
    PYSPARK_PYTHON: venvPython(s),
    PYSPARK_DRIVER_PYTHON: venvPython(s),
  };
  return { command: sparkSubmitPath(s), args, env };
}

export interface SparkRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs spark-submit to completion, collecting its output. */
export function runSparkSubmit(s: ServiceSettings, options: SparkSubmitOptions, timeoutMs = 300_000): Promise<SparkRun> {
  const cmd = sparkSubmitCommand(s, options);
  return new Promise((resolve) => {
    const child = spawn(cmd.command, cmd.args, { env: cmd.env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString("utf8")));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString("utf8")).slice(-64_000)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", (err) => {
      clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + String(err) });
    });
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const PROBE_SCRIPT = `
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("azflow-status").getOrCreate()
spark.sparkContext.setLogLevel("ERROR")
row = spark.range(1, 1001).selectExpr("count(*) AS n", "sum(id) AS total").collect()[0]
print(f"AZFLOW_PROBE n={row.n} total={row.total} spark={spark.version}")
spark.stop()
`;

async function submitProbe(s: ServiceSettings): Promise<string> {
  const script = path.join(s.localDir, "spark", "status_probe.py");
  fs.mkdirSync(path.dirname(script), { recursive: true });
  fs.writeFileSync(script, PROBE_SCRIPT);
  const run = await runSparkSubmit(s, { app: script, name: "azflow-status" }, 180_000);
  const match = /AZFLOW_PROBE n=(\d+) total=(\d+) spark=(\S+)/.exec(run.stdout);
  if (run.code !== 0 || !match) {
    throw new Error(`spark-submit exited ${run.code}: ${lastLine(run.stderr).slice(0, 200)}`);
  }
  if (match[1] !== "1000" || match[2] !== "500500") throw new Error(`range(1..1000) gave n=${match[1]} sum=${match[2]}`);
  return `spark-submit ${match[3]} on ${s.spark.master}: range(1..1000) count=1000 sum=500500, ${sparkJars(s).length} jars`;
}

export const spark: LocalService = {
  name: "spark",
  endpoint: (s) => s.spark.master,
  ports: () => [],
  logFile: (s) => path.join(s.logDir, "pip.log"),
  async prepare(s) {
    requireJava("Spark");
    fs.mkdirSync(s.logDir, { recursive: true });
    await ensureVenv(s);
    await ensureMavenJars("Spark extra", sparkPom(s), s.spark.jarsDir, path.join(s.logDir, "mvn-spark.log"));
  },
  async ping(s) {
    requireJava("Spark");
    if (!venvIsReady(s)) throw new Error(`pyspark is not installed in ${s.spark.venv}`);
    if (!jarsAreReady(sparkPom(s), s.spark.jarsDir)) throw new Error(`the Spark jars are not in ${s.spark.jarsDir}`);
  },
  probe: submitProbe,
  readyTimeoutMs: 0,
  stop: { signal: "SIGTERM", leaderOnly: false, graceMs: 10_000 },
};
