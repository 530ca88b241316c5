// The environment of a process a task starts (a bash command), as Airflow's BashOperator builds
// it: the worker's own environment (or only the task's `env` unless append_env), then the
// AIRFLOW_CTX_* context. Unlike Airflow, the worker's AIRFLOW_CONN_* and AIRFLOW_VAR_* settings
// stay behind: they are secrets, and thousands of connections would not even fit (spawn E2BIG).
// A task that needs a connection in its environment names it in `connections`.
import { connectionSettingName, getConnection } from "../hooks/connection";
import { DEFAULT_CONNECTIONS } from "../hooks/default-connections";
import { workerEnv } from "../hooks/worker-env";
import type { OperatorContext } from "./operator";


export interface ChildEnvOptions {
  /** The task's env (rendered). */
  env: Record<string, string>;
  /** With a task env: keep the worker's environment too (Airflow's append_env). */
  appendEnv: boolean;
  /** Connection ids whose AIRFLOW_CONN_<ID> setting the process gets. */
  connections: readonly string[];
}

/** Airflow's context_to_airflow_vars in environment-variable form. */
export function airflowContextVars(ctx: Pick<OperatorContext, "dagId" | "taskId" | "runId" | "logicalDate" | "tryNumber">): Record<string, string> {
  return {
    AIRFLOW_CTX_DAG_ID: ctx.dagId,
    AIRFLOW_CTX_TASK_ID: ctx.taskId,
    AIRFLOW_CTX_EXECUTION_DATE: ctx.logicalDate,
    AIRFLOW_CTX_LOGICAL_DATE: ctx.logicalDate,
    AIRFLOW_CTX_TRY_NUMBER: String(ctx.tryNumber),
    AIRFLOW_CTX_DAG_RUN_ID: ctx.runId,
  };
}

export function childProcessEnv(ctx: Pick<OperatorContext, "dagId" | "taskId" | "runId" | "logicalDate" | "tryNumber">, options: ChildEnvOptions): Record<string, string> {
  const own = workerEnv();
  // PATH is kept even with a task env of its own, so `bash` and common tools resolve.
  const env: Record<string, string> = Object.keys(options.env).length
    ? { ...(own.PATH !== undefined ? { PATH: own.PATH } : {}), ...(options.appendEnv ? own : {}), ...options.env }
    : own;
  for (const connId of options.connections) {
    // Resolved (and so checked, and its secrets registered) before the process sees it.
    getConnection(connId);
    const name = connectionSettingName(connId);
    env[name] = process.env[name] ?? DEFAULT_CONNECTIONS[connId.toLowerCase()];
  }
  return { ...env, ...airflowContextVars(ctx) };
}
