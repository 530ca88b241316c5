// Airflow's SparkSubmitOperator on durable timers, split in three activities: submit (starts the
// job and returns at once), status (the follow-up check the orchestrator pokes on a durable timer
// until the job ends) and cancel (stops it when the task is given up on). No activity waits for a
// job. The job handle is recorded on the task instance (Airflow's external_executor_id), so the
// jobs of a terminated run can still be found and cancelled.
import * as fs from "node:fs";
import * as path from "node:path";
import { getConnection, toExportEntry } from "../hooks/connection";
import { registerConnectionSecrets } from "../hooks/secret-mask";
import { parseJobHandle, sparkBackend, type SparkJobHandle, type SparkJobSpec } from "../hooks/spark";
import { appRunLedger } from "../runs/app-run-ledger";
import { ConfigError, ConfigReader } from "./config-reader";
import { followUp, OperatorContext, OperatorDefinition, PokeResult } from "./operator";

export interface SparkSubmitConfig {
  connId: string;
  spec: SparkJobSpec;
  connIds: string[];
  pokeIntervalSeconds: number;
  logTailLines: number;
}

/** What the ledger keeps for a running job: which connection's backend runs it, and where. */
export interface RecordedSparkJob {
  connId: string;
  handle: SparkJobHandle;
}

const SIZE = /^\d+[kKmMgGtT]?$/;

function optionalSize(c: ConfigReader, key: string, where: string): string | undefined {
  const v = c.optionalString(key);
  if (v !== undefined && !SIZE.test(v)) throw new ConfigError(`${where}: '${key}' must be a size such as 512m or 2g.`);
  return v;
}

function optionalInt(c: ConfigReader, key: string): number | undefined {
  return c.has(key) ? c.number(key, undefined, 1, 10_000) : undefined;
}

/** Files named relative to the app (jobs/...) are resolved there; URLs and absolute paths stay. */
function resolveFile(file: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(file) || path.isAbsolute(file)) return file;
  const local = path.resolve(root, file);
  return fs.existsSync(local) ? local : file;
}

function connectionEnv(connIds: string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const id of connIds) {
    const conn = getConnection(id);
    registerConnectionSecrets(conn);
    env[`AIRFLOW_CONN_${id.toUpperCase()}`] = JSON.stringify(toExportEntry(conn));
  }
  return env;
}

async function recordJob(ctx: OperatorContext, job: RecordedSparkJob | null): Promise<void> {
  await appRunLedger().setExternalExecutorId(ctx.dagId, ctx.runId, ctx.taskId, ctx.mapIndex, job ? JSON.stringify(job) : null);
}

async function recordedJob(ctx: OperatorContext): Promise<RecordedSparkJob | undefined> {
  const tis = await appRunLedger().listTaskInstances(ctx.dagId, ctx.runId);
  const ti = tis.find((t) => t.task_id === ctx.taskId && t.map_index === ctx.mapIndex);
  return ti?.external_executor_id ? (JSON.parse(ti.external_executor_id) as RecordedSparkJob) : undefined;
}

export const sparkSubmitOperator: OperatorDefinition<SparkSubmitConfig> = {
  name: "spark_submit",
  templateFields: ["application", "application_args", "conf", "name", "env_vars", "files", "py_files"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only([
      "conn_id", "application", "application_args", "conf", "jars", "packages", "py_files", "files", "name", "driver_memory",
      "driver_cores", "executor_memory", "executor_cores", "num_executors", "env_vars", "conn_ids", "poke_interval", "log_tail_lines",
    ]);
    const args = c.raw("application_args") ?? [];
    if (!Array.isArray(args) || args.some((a) => typeof a !== "string" && typeof a !== "number")) {
      throw new ConfigError(`${where}: 'application_args' must be a list of strings.`);
    }
    const conf = c.raw("conf") ?? {};
    if (typeof conf !== "object" || Array.isArray(conf)) throw new ConfigError(`${where}: 'conf' must map Spark properties to values.`);
    const envVars = c.stringRecord("env_vars");
    for (const key of Object.keys(envVars)) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new ConfigError(`${where}: '${key}' is not an environment variable name.`);
    const connIds = c.stringList("conn_ids");
    const application = c.string("application");
    return {
      connId: c.string("conn_id", "spark_default"),
      connIds,
      pokeIntervalSeconds: c.number("poke_interval", 10, 1, 3600),
      logTailLines: c.number("log_tail_lines", 30, 1, 500),
      spec: {
        application,
        applicationArgs: (args as unknown[]).map(String),
        name: c.string("name", path.basename(application)),
        conf: Object.fromEntries(Object.entries(conf as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
        jars: c.stringList("jars"),
        packages: c.stringList("packages"),
        pyFiles: c.stringList("py_files"),
        files: c.stringList("files"),
        driverMemory: optionalSize(c, "driver_memory", where),
        driverCores: optionalInt(c, "driver_cores"),
        executorMemory: optionalSize(c, "executor_memory", where),
        executorCores: optionalInt(c, "executor_cores"),
        numExecutors: optionalInt(c, "num_executors"),
        envVars,
        secretEnv: {},
      },
    };
  },
  async execute(config, ctx) {
    // A try that starts again after its submit crashed must not leave the earlier job running.
    const earlier = await recordedJob(ctx);
    if (earlier) {
      const stopped = await sparkBackend(earlier.connId).cancel(earlier.handle).catch((err: Error) => ({ state: "unknown", detail: err.message }));
      ctx.log(`An earlier job of this task was still recorded: ${stopped.state} (${stopped.detail}).`);
    }
    const spec: SparkJobSpec = {
      ...config.spec,
      application: resolveFile(config.spec.application, ctx.appRoot),
      pyFiles: config.spec.pyFiles.map((f) => resolveFile(f, ctx.appRoot)),
      files: config.spec.files.map((f) => resolveFile(f, ctx.appRoot)),
      secretEnv: connectionEnv(config.connIds),
    };
    const handle = await sparkBackend(config.connId).submit(spec);
    await recordJob(ctx, { connId: config.connId, handle });
    ctx.log(`Submitted Spark job ${spec.name} (${describeHandle(handle)}); checking every ${config.pokeIntervalSeconds} s.`);
    const check = { conn_id: config.connId, handle, log_tail_lines: config.logTailLines, hold_seconds: Math.min(config.pokeIntervalSeconds, MAX_HOLD_SECONDS) };
    return followUp({ name: spec.name, job: describeHandle(handle) }, {
      operator: sparkJobStatusOperator.name,
      config: check,
      pokeIntervalSeconds: config.pokeIntervalSeconds,
      cancel: { operator: sparkJobCancelOperator.name, config: { conn_id: config.connId, handle } },
    });
  },
};

export function describeHandle(handle: SparkJobHandle): string {
  return handle.backend === "local" ? `${handle.master} pid ${handle.pid}, driver log ${handle.logFile}` : `Livy batch ${handle.batchId} at ${handle.url}`;
}

/**
 * A status check watches a running job this long (re-reading its state every half second) before
 * answering "not yet". Bounded and short, so a check never holds a worker for the job; it lets the
 * check see a job end within the interval, and keeps the pokes (and the history) few where timers
 * fire at once (`dags test`'s virtual clock).
 */
const MAX_HOLD_SECONDS = 3;

interface JobRef {
  connId: string;
  handle: SparkJobHandle;
  logTailLines: number;
  holdSeconds: number;
}

function parseJobRef(config: unknown, where: string): JobRef {
  const c = new ConfigReader(config, where).only(["conn_id", "handle", "log_tail_lines", "hold_seconds"]);
  let handle: SparkJobHandle;
  try {
    handle = parseJobHandle(c.raw("handle"));
  } catch {
    throw new ConfigError(`${where}: 'handle' is not a Spark job handle.`);
  }
  return {
    connId: c.string("conn_id", "spark_default"), handle, logTailLines: c.number("log_tail_lines", 30, 1, 500),
    holdSeconds: c.number("hold_seconds", 0, 0, MAX_HOLD_SECONDS),
  };
}

/** The follow-up check: done when the job succeeded; a failed job fails the task with its log's tail. */
export const sparkJobStatusOperator: OperatorDefinition<JobRef> = {
  name: "spark_job_status",
  templateFields: [],
  parse: parseJobRef,
  async execute(config, ctx): Promise<PokeResult> {
    const backend = sparkBackend(config.connId);
    let status = await backend.status(config.handle);
    const holdUntil = Date.now() + config.holdSeconds * 1000;
    while (status.state === "running" && Date.now() + 500 <= holdUntil && !ctx.signal.aborted) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      status = await backend.status(config.handle);
    }
    if (status.state === "running") {
      ctx.log(`Spark job ${describeHandle(config.handle)}: ${status.detail}.`);
      return { done: false };
    }
    await recordJob(ctx, null);
    const tail = await backend.logTail(config.handle, config.logTailLines).catch(() => []);
    if (status.state === "success") {
      ctx.log(`Spark job succeeded. Driver log tail:\n${tail.join("\n")}`);
      return { done: true };
    }
    throw new Error(`Spark job ${status.state === "cancelled" ? "was cancelled" : "failed"} (${status.detail}). Driver log tail: ${errorTail(tail)}`);
  },
};

/** Spark's own INFO/WARN chatter hides the cause (a Python traceback, an exception). */
const SPARK_LOG_LINE = /^\d{2}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2} (INFO|DEBUG|TRACE|WARN) /;
const ERROR_TAIL_CHARS = 1500;

/**
 * The driver log's tail as one line for the task's error (the orchestrator keeps an error's first
 * line, the ledger its first 2000 characters): Spark's routine log lines dropped, the end kept.
 */
export function errorTail(lines: string[]): string {
  const useful = lines.filter((l) => !SPARK_LOG_LINE.test(l));
  const text = (useful.length ? useful : lines).map((l) => l.trim()).join(" ⏎ ");
  if (!text) return "(empty)";
  return text.length > ERROR_TAIL_CHARS ? `…${text.slice(-ERROR_TAIL_CHARS)}` : text;
}

/** Stops the job (execution_timeout, run termination); a finished job is left alone. */
export const sparkJobCancelOperator: OperatorDefinition<JobRef> = {
  name: "spark_job_cancel",
  templateFields: [],
  parse: parseJobRef,
  async execute(config, ctx) {
    const status = await sparkBackend(config.connId).cancel(config.handle);
    await recordJob(ctx, null);
    ctx.log(`Spark job ${describeHandle(config.handle)}: ${status.state} (${status.detail}).`);
    return { state: status.state, detail: status.detail };
  },
};
