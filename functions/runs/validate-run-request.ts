// Checks on what a caller asks a DAG run to be, with Airflow 2.10's rules, so a bad run id, date
// or conf is refused before anything is written.
import type { JsonValue } from "../../orchestrations/runtime/model/json";
import { formatPreciseInstant, parsePreciseInstant } from "../ledger/precise-instant";
import { DagRunRequestError } from "./run-request-error";

// Airflow's [scheduler] allowed_run_id_pattern default; run ids it generates always match it.
const ALLOWED_RUN_ID = /^[A-Za-z0-9_.~:+-]+$/;
// The dag_run.run_id column is 250 characters wide.
const MAX_RUN_ID_LENGTH = 250;

// Ids a URL path cannot carry back to the API: "." and ".." are removed by path normalisation,
// and "~" means "every run" in the API's list routes.
const UNROUTABLE_RUN_IDS = new Set([".", "..", "~"]);

export function validRunId(runId: string): string {
  if (UNROUTABLE_RUN_IDS.has(runId)) {
    throw new DagRunRequestError(
      `The run_id '${runId}' cannot be used: ${runId === "~" ? "'~' stands for every run in the API's paths" : "'.' and '..' are removed from URL paths by clients and proxies"}, so the run could not be fetched by its id`,
    );
  }
  if (runId.length === 0 || runId.length > MAX_RUN_ID_LENGTH || !ALLOWED_RUN_ID.test(runId)) {
    throw new DagRunRequestError(
      `The run_id provided '${runId}' does not match the pattern '${ALLOWED_RUN_ID.source}' (at most ${MAX_RUN_ID_LENGTH} characters)`,
    );
  }
  return runId;
}

/**
 * An instant in Airflow's printed form (2023-01-01T00:00:00.123456+00:00, microseconds kept);
 * `what` names it in the error. A naive value is UTC here (the CLI's dates); the REST API refuses
 * naive values before this, as Airflow's does.
 */
export function validInstant(text: string, what: string): string {
  try {
    return formatPreciseInstant(parsePreciseInstant(text, { naiveAsUtc: true }));
  } catch (err) {
    throw new DagRunRequestError(`${what}: ${(err as Error).message}`);
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** How deep a conf may nest (the conf object itself is level 1): deeper values are refused, saying so. */
export const MAX_CONF_DEPTH = 64;

/** Why `value` cannot travel as JSON: too deep, or a value JSON cannot carry; null when it can. */
function jsonProblem(value: unknown, level: number): "depth" | "value" | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : "value";
  const children = Array.isArray(value) ? value : isPlainObject(value) ? Object.values(value) : null;
  if (children === null) return "value";
  if (level > MAX_CONF_DEPTH) return "depth";
  for (const child of children) {
    const problem = jsonProblem(child, level + 1);
    if (problem !== null) return problem;
  }
  return null;
}

/**
 * dag_run.conf: a JSON object (absent or null means {}). It travels in the orchestration input
 * and the ledger, so anything JSON cannot carry is refused here rather than silently changed.
 */
export function validConf(conf: unknown): Record<string, JsonValue> {
  if (conf === undefined || conf === null) return {};
  if (!isPlainObject(conf)) throw new DagRunRequestError("conf must be a JSON object");
  const problem = jsonProblem(conf, 1);
  if (problem === "depth") {
    throw new DagRunRequestError(`conf is nested more than ${MAX_CONF_DEPTH} levels deep, the depth limit for a run's conf; flatten it, or pass the deep part as a JSON string`);
  }
  if (problem === "value") throw new DagRunRequestError("conf must hold only JSON values (no undefined, NaN, Infinity, functions or class instances)");
  return conf as Record<string, JsonValue>;
}
