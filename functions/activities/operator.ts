import type { InvocationContext } from "@azure/functions";

// An operator is an activity: it validates its config, gets a hook, does one thing and returns
// JSON-safe data (its XCom). The task wrapper around it does the bookkeeping.

/** What an operator sees of the run it belongs to. No secrets: connections are resolved by id. */
export interface OperatorContext {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  logicalDate: string;
  /** The Airflow template context (ds, params, dag_run.conf, ...), already resolved. */
  templateContext: Record<string, unknown>;
  /** Render a template string (SQL files, for instance) with the template context. */
  render(template: string): string;
  /** Log a line; registered secrets are masked. */
  log(message: string): void;
  /** Aborted when execution_timeout or the host's function timeout cuts the attempt off. */
  signal: AbortSignal;
  /** Where task files (SQL files, scripts) are looked up: the app root. */
  appRoot: string;
  /** The Functions invocation, for operators that need an input binding (the durable client). */
  invocation: InvocationContext;
}

/**
 * Returned by an operator to finish its part and keep the task running until a check is done.
 * `cancel` names the operator (and its config) that stops the external work when the task is
 * given up on (execution_timeout, run termination): a Spark job, for instance.
 */
export interface FollowUpResult {
  $followUp: { operator: string; config: unknown; pokeIntervalSeconds: number; cancel?: { operator: string; config: unknown } };
  value: unknown;
}

export function followUp(value: unknown, check: FollowUpResult["$followUp"]): FollowUpResult {
  return { $followUp: check, value };
}

export function isFollowUp(value: unknown): value is FollowUpResult {
  return !!value && typeof value === "object" && "$followUp" in (value as object);
}

/** Returned by an operator to end its task SKIPPED (Airflow's AirflowSkipException). */
export interface SkipResult {
  $skip: string;
}

export function skip(reason: string): SkipResult {
  return { $skip: reason };
}

export function isSkip(value: unknown): value is SkipResult {
  return !!value && typeof value === "object" && typeof (value as SkipResult).$skip === "string";
}

/** A sensor's check: done or not yet, with an optional value pushed as XCom when done. */
export interface PokeResult {
  done: boolean;
  value?: unknown;
}

export interface OperatorDefinition<C> {
  /** The name DAG files use; the activity is registered as `op_<name>`. */
  name: string;
  /** Config fields rendered as templates before execute (Airflow's template_fields). */
  templateFields: readonly string[];
  /** Validate and normalise the (rendered) config; throw ConfigError with a clear message. */
  parse(config: unknown, where: string): C;
  execute(config: C, ctx: OperatorContext): Promise<unknown>;
}
