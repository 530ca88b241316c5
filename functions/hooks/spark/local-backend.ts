// Spark jobs through spark-submit on this machine: on local[*] or a standalone cluster
// (spark://host:7077). The submit starts spark-submit detached from the activity (its own
// process group, its driver log to a file) and returns at once; status reads the process and the
// exit code a small shell wrapper writes when spark-submit ends. Secrets go in the environment of
// the job's process only: the command line holds none.
import { randomUUID } from "node:crypto";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { SparkBackend, SparkJobHandle, SparkJobSpec } from "./spark-job";
import { sparkSubmitArgs } from "./submit-args";
import { workerEnv } from "../worker-env";

export interface LocalSparkOptions {
  master: string;
  sparkSubmit: string;
  deployMode?: string;
  /** Jars every job gets (the Maven cache: Postgres JDBC, the Kafka source). */
  jars: string[];
  conf: Record<string, string>;
  /** PYSPARK_PYTHON for the driver and the executors. */
  python?: string;
  logDir: string;
}

// `$0 "$@"` runs spark-submit with its arguments untouched; the exit code lands in a file, so any
// worker can read the job's end even after the submitting process is gone.
const WRAPPER = '"$0" "$@"; echo $? > "$AZFLOW_SPARK_EXIT_FILE"';

type LocalHandle = Extract<SparkJobHandle, { backend: "local" }>;

function processState(pid: number): "alive" | "gone" {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state === "Z" || state === "X" ? "gone" : "alive";
  } catch {
    return "gone";
  }
}

/** Whether any live process remains in the job's process group (spark-submit, the JVM, Python). */
function groupAlive(pgid: number): boolean {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z" && fields[0] !== "X") return true;
    } catch {
      // gone while we looked
    }
  }
  return false;
}

/** The job's environment: this process's, less the app's connections and Variables (a job gets only the connections it names). */
function jobEnv(spec: SparkJobSpec, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...workerEnv(), ...spec.envVars, ...spec.secretEnv, ...extra };
}

export function localSparkBackend(o: LocalSparkOptions): SparkBackend {
  const local = (h: SparkJobHandle): LocalHandle => {
    if (h.backend !== "local") throw new Error(`A ${h.backend} job handle was given to the local Spark backend.`);
    return h;
  };
  const cancelMarker = (h: LocalHandle): string => `${h.exitFile}.cancelled`;
  const backend: SparkBackend = {
    async submit(spec) {
      fs.mkdirSync(o.logDir, { recursive: true, mode: 0o700 });
      const id = `${new Date().toISOString().replace(/[:.]/g, "")}-${randomUUID().slice(0, 8)}`;
      const logFile = path.join(o.logDir, `${id}.driver.log`);
      const exitFile = path.join(o.logDir, `${id}.exit`);
      const conf = { ...o.conf, ...(o.python ? { "spark.pyspark.python": o.python } : {}), ...spec.conf };
      const args = sparkSubmitArgs(o.master, { ...spec, jars: [...o.jars, ...spec.jars], conf }, o.deployMode);
      const log = fs.openSync(logFile, "a", 0o600);
      try {
        const child = spawn("/bin/sh", ["-c", WRAPPER, o.sparkSubmit, ...args], {
          detached: true,
          stdio: ["ignore", log, log],
          env: jobEnv(spec, {
            AZFLOW_SPARK_EXIT_FILE: exitFile,
            ...(o.python ? { PYSPARK_PYTHON: o.python, PYSPARK_DRIVER_PYTHON: o.python } : {}),
          }),
        });
        const pid = await new Promise<number>((resolve, reject) => {
          child.once("error", reject);
          child.once("spawn", () => resolve(child.pid as number));
        });
        child.unref();
        return { backend: "local", pid, logFile, exitFile, master: o.master, submittedAt: new Date().toISOString() };
      } finally {
        fs.closeSync(log);
      }
    },
    async status(handle) {
      const h = local(handle);
      if (fs.existsSync(cancelMarker(h))) return { state: "cancelled", detail: "cancelled" };
      let code: string | undefined;
      try {
        code = fs.readFileSync(h.exitFile, "utf8").trim();
      } catch {
        code = undefined;
      }
      if (code !== undefined && code !== "") return code === "0" ? { state: "success", detail: "exit 0" } : { state: "failed", detail: `spark-submit exited with code ${code}` };
      if (processState(h.pid) === "alive") return { state: "running", detail: `pid ${h.pid}` };
      // Read again: the wrapper may have written the code between the two looks.
      if (fs.existsSync(h.exitFile)) return backend.status(h);
      return { state: "failed", detail: "spark-submit ended without an exit code (killed, or the machine restarted)" };
    },
    async logTail(handle, lines) {
      const h = local(handle);
      try {
        const size = fs.statSync(h.logFile).size;
        const fd = fs.openSync(h.logFile, "r");
        try {
          const length = Math.min(size, 128 * 1024);
          const buf = Buffer.alloc(length);
          fs.readSync(fd, buf, 0, length, size - length);
          return buf.toString("utf8").split("\n").filter((l) => l.trim()).slice(-lines);
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        return [];
      }
    },
    async cancel(handle) {
      const h = local(handle);
      const before = await backend.status(h);
      if (before.state !== "running") return before;
      fs.writeFileSync(cancelMarker(h), new Date().toISOString());
      // The whole process group: spark-submit, its JVM and the Python driver.
      const signalGroup = (signal: NodeJS.Signals): void => {
        try {
          process.kill(-h.pid, signal);
        } catch {
          // already gone
        }
      };
      signalGroup("SIGTERM");
      // Spark's shutdown hooks get a grace period; whatever is left then is killed.
      for (let i = 0; i < 50 && groupAlive(h.pid); i++) await new Promise((r) => setTimeout(r, 200));
      if (groupAlive(h.pid)) signalGroup("SIGKILL");
      for (let i = 0; i < 25 && groupAlive(h.pid); i++) await new Promise((r) => setTimeout(r, 200));
      return { state: "cancelled", detail: "cancelled" };
    },
  };
  return backend;
}

export function defaultSparkLogDir(): string {
  return path.join(os.tmpdir(), "azflow-spark-jobs");
}
