// A hostile DAG: task code that takes a connection's password and a storage account key straight
// from the settings (never through a hook, never registering anything) and puts them everywhere
// it can: its log, console.log and console.error, an exception, its return value (XCom), and a
// bash task echoing the connection settings. Used by the secret-masking and secret-scan tests.
import { registerCallable } from "../../../functions/activities/callable";
import { bash, dag, python } from "../../../orchestrations/runtime";
import { registerDag } from "../../../functions/register-dag";

export interface HostileOptions {
  dagId: string;
  /** A connection with a password, set as a URI. */
  connId: string;
  /** A wasb connection whose extra.connection_string holds an AccountKey. */
  storageConnId: string;
}

const setting = (connId: string): string => process.env[`AIRFLOW_CONN_${connId.toUpperCase()}`] ?? "";

/** What careless code does: read the settings and pick the secrets out by hand. */
function secretsOf(kwargs: Record<string, unknown>): { uri: string; password: string; key: string } {
  const uri = setting(String(kwargs.conn_id));
  const password = decodeURIComponent(new URL(uri).password);
  const storage = JSON.parse(setting(String(kwargs.storage_conn_id))) as { extra: { connection_string: string } };
  const key = /AccountKey=([^;]+)/.exec(storage.extra.connection_string)?.[1] ?? "";
  return { uri, password, key };
}

registerCallable("hostile.leak", (kwargs, ctx) => {
  const { uri, password, key } = secretsOf(kwargs);
  ctx.log(`ctx.log: password ${password}, account key ${key}`);
  console.log("console.log:", password, key);
  console.error(`console.error: ${uri}`);
  console.warn({ password, key });
  return { password, key, uri, nested: [`pw=${password}`, { note: `key ${key}` }], count: 3 };
});

registerCallable("hostile.throw", (kwargs) => {
  const { uri, password, key } = secretsOf(kwargs);
  throw new Error(`cannot log in with ${password} (${uri}), key ${key}`);
});

export function registerHostileDag(o: HostileOptions): void {
  const kwargs = { conn_id: o.connId, storage_conn_id: o.storageConnId };
  const name = `AIRFLOW_CONN_${o.connId.toUpperCase()}`;
  registerDag(dag({
    dagId: o.dagId,
    schedule: null,
    startDate: "2024-01-01",
    tasks: (t) => {
      t.task("leak", python("hostile.leak", kwargs));
      t.task("throw", python("hostile.throw", kwargs), { retries: 1, retryDelay: "5s" });
      // The worker's connection settings are not in a bash task's environment.
      t.task("echo_env", bash({ command: `echo "conn=[$${name}] count=$(env | grep -c '^AIRFLOW_CONN_' || true)"` }));
      // A task that asks for one gets it, and its output is masked.
      t.task("echo_asked", bash({ command: `echo "$${name}"; echo "[$${name}]"`, connections: [o.connId] }));
    },
  }));
}
