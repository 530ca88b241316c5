// Test app for the dags/tasks commands: DAGs whose callables count their invocations in a
// Postgres table named by dag_run.conf.table, so a test can tell which tasks really ran.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { getConnection } from "../../../functions/hooks/connection";
import { postgresPool } from "../../../functions/hooks/postgres";
import { registerConnectionSecrets } from "../../../functions/hooks/secret-mask";
import { registerDag } from "../../../functions/register-dag";
import { dag, empty, python } from "../../../orchestrations/runtime";

const TABLE_CONF = "{{ dag_run.conf.get('table', '') }}";

function tableName(kwargs: Record<string, unknown>): string {
  const table = String(kwargs.table ?? "");
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(table)) throw new Error(`conf.table must be a plain table name, got '${table}'.`);
  return table;
}

async function record(table: string, task: string, runId: string): Promise<number> {
  const pool = postgresPool();
  await pool.query(`CREATE TABLE IF NOT EXISTS ${table} (task text NOT NULL, run_id text NOT NULL)`);
  await pool.query(`INSERT INTO ${table} (task, run_id) VALUES ($1, $2)`, [task, runId]);
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM ${table} WHERE task = $1`, [task]);
  return Number(rows[0].n);
}

registerCallable("cli_test.count", async (kwargs, ctx) => {
  const calls = await record(tableName(kwargs), ctx.taskId, ctx.runId);
  return { task: ctx.taskId, calls };
});

// Fails until the test inserts a 'gate' row: the first run fails here, the rerun passes.
registerCallable("cli_test.gated", async (kwargs, ctx) => {
  const table = tableName(kwargs);
  await record(table, ctx.taskId, ctx.runId);
  const { rows } = await postgresPool().query(`SELECT 1 FROM ${table} WHERE task = 'gate'`);
  if (!rows.length) throw new Error("the gate is closed");
  return { upstream: kwargs.upstream ?? null };
});

registerCallable("cli_test.boom", () => {
  throw new Error("boom: this task always fails");
});

registerCallable("cli_test.interval", (_kwargs, ctx) => ({
  ds: ctx.templateContext.ds, start: String(ctx.templateContext.data_interval_start), end: String(ctx.templateContext.data_interval_end),
}));

registerDag(dag({
  dagId: "cli_rerun",
  schedule: null,
  startDate: "2024-01-01",
  tags: ["cli-test"],
  tasks: (t) => {
    const extract = t.task("extract", python("cli_test.count", { table: TABLE_CONF }));
    const gated = t.task("gated", python("cli_test.gated", { table: TABLE_CONF, upstream: extract.output }));
    const load = t.task("load", python("cli_test.count", { table: TABLE_CONF }));
    t.chain(extract, gated, load);
  },
}));

registerDag(dag({
  dagId: "cli_fails",
  schedule: null,
  startDate: "2024-01-01",
  tags: ["cli-test"],
  tasks: (t) => {
    t.chain(t.task("start", empty()), t.task("boom", python("cli_test.boom")), t.task("after", empty()));
  },
}));

registerDag(dag({
  dagId: "cli_daily",
  schedule: "@daily",
  startDate: "2020-01-01",
  catchup: false,
  maxActiveRuns: 2,
  tags: ["cli-test", "daily"],
  tasks: (t) => {
    t.task("interval", python("cli_test.interval"));
  },
}));

// Task log lines for the CLI's live view: a mapped task (map_index in the prefix), a task whose
// first try fails (try 2 in the prefix), and a line holding a connection's password (masked).
registerCallable("cli_test.shout", (kwargs, ctx) => {
  ctx.log(`item ${String(kwargs.item)} of the mapped task`);
  return kwargs.item ?? null;
});

registerCallable("cli_test.flaky", (_kwargs, ctx) => {
  ctx.log(`try ${ctx.tryNumber} begins`);
  if (ctx.tryNumber === 1) throw new Error("first try fails on purpose");
  return "second try";
});

registerCallable("cli_test.leaky", (_kwargs, ctx) => {
  const conn = getConnection("cli_secret");
  // What a hook does when it resolves a connection: its password is masked from then on.
  registerConnectionSecrets(conn);
  ctx.log(`connecting as ${conn.login} with password ${conn.password}`);
  throw new Error(`login refused for password ${conn.password}`);
});

registerDag(dag({
  dagId: "cli_logs",
  schedule: null,
  startDate: "2024-01-01",
  tags: ["cli-test"],
  tasks: (t) => {
    const mapped = t.task("mapped", python("cli_test.shout"), { expand: { item: ["a", "b"] } });
    const flaky = t.task("flaky", python("cli_test.flaky"), { retries: 1, retryDelay: "1m" });
    const leaky = t.task("leaky", python("cli_test.leaky"));
    t.chain(mapped, flaky, leaky);
  },
}));
