// What a bash task's process gets in its environment: Airflow's BashOperator's (the worker's own
// environment, the AIRFLOW_CTX_* context, the task's env) without the worker's connection and
// Variable settings, so 10,000 imported connections neither leak into it nor make it fail with
// E2BIG. Runs the operator itself with real bash.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import type { InvocationContext } from "@azure/functions";
import { bashOperator } from "../../../functions/activities/bash";
import type { OperatorContext } from "../../../functions/activities/operator";

const CONNECTIONS = 10_000;
const saved = { ...process.env };

function context(lines: string[]): OperatorContext {
  return {
    dagId: "env_dag", runId: "manual__2024-03-01T00:00:00+00:00", taskId: "show_env", mapIndex: -1, tryNumber: 2,
    logicalDate: "2024-03-01T00:00:00+00:00", templateContext: {}, render: (t) => t, log: (l) => lines.push(l),
    signal: new AbortController().signal, appRoot: process.cwd(), invocation: {} as InvocationContext,
  };
}

async function run(config: Record<string, unknown>): Promise<{ out: unknown; lines: string[] }> {
  const lines: string[] = [];
  const out = await bashOperator.execute(bashOperator.parse(config, "env_dag.show_env"), context(lines));
  return { out, lines };
}

before(() => {
  // About 2.4 MB of settings, as `connections import` of 10,000 connections leaves them.
  for (let i = 0; i < CONNECTIONS; i++) {
    process.env[`AIRFLOW_CONN_BULK_${String(i).padStart(5, "0")}`] =
      JSON.stringify({ conn_type: "postgres", host: `db-${i}.example.internal`, login: `svc_${i}`, password: `bulk-password-${i}-${"x".repeat(120)}`, port: 5432, schema: "warehouse" });
  }
  process.env.AIRFLOW_CONN_WAREHOUSE = "postgres://loader:wh-secret-pw@db:5432/dwh";
  process.env.AIRFLOW_VAR_API_TOKEN = "variable-token-value";
  process.env.WORKER_SETTING = "kept";
});
after(() => {
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
});

test("with 10,000 connections in the worker's settings a bash task runs and sees none of them", async () => {
  const { out } = await run({ command: "echo \"conns=$(env | grep -c '^AIRFLOW_CONN_' || true) vars=$(env | grep -c '^AIRFLOW_VAR_' || true) worker=$WORKER_SETTING\"" });
  assert.equal(out, "conns=0 vars=0 worker=kept");
});

test("the AIRFLOW_CTX_* context is there, as Airflow sets it", async () => {
  const { out } = await run({ command: "echo \"$AIRFLOW_CTX_DAG_ID|$AIRFLOW_CTX_TASK_ID|$AIRFLOW_CTX_DAG_RUN_ID|$AIRFLOW_CTX_EXECUTION_DATE|$AIRFLOW_CTX_TRY_NUMBER\"" });
  assert.equal(out, "env_dag|show_env|manual__2024-03-01T00:00:00+00:00|2024-03-01T00:00:00+00:00|2");
});

test("a task env replaces the worker's (PATH kept) unless append_env; the context still wins", async () => {
  const own = await run({ command: "echo \"$ONLY|${WORKER_SETTING:-none}|$AIRFLOW_CTX_TASK_ID\"", env: { ONLY: "mine", AIRFLOW_CTX_TASK_ID: "spoofed" } });
  assert.equal(own.out, "mine|none|show_env");
  const appended = await run({ command: "echo \"$ONLY|$WORKER_SETTING|$(env | grep -c '^AIRFLOW_CONN_' || true)\"", env: { ONLY: "mine" }, append_env: true });
  assert.equal(appended.out, "mine|kept|0");
});

test("a connection the task names reaches it; the others do not", async () => {
  const { out } = await run({ command: "echo \"$AIRFLOW_CONN_WAREHOUSE|${AIRFLOW_CONN_BULK_00001:-absent}\"", connections: ["warehouse"] });
  assert.equal(out, "postgres://loader:wh-secret-pw@db:5432/dwh|absent");
  await assert.rejects(run({ command: "true", connections: ["no_such_conn"] }), /Connection 'no_such_conn' is not defined/);
});
