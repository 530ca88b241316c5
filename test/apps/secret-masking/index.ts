// A test app for secret masking end to end: tasks that resolve a connection with a password and
// then put the password into a log line, an error message, a retry's error and a failure
// callback's reason, the way careless task code does; and the hostile DAG (hostile.ts), whose
// code never registers anything. The test sets AIRFLOW_CONN_SECRET_API, AIRFLOW_CONN_HOSTILE_PG and AIRFLOW_CONN_HOSTILE_LAKE.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { registerCallback } from "../../../functions/activities/callbacks";
import { getConnection } from "../../../functions/hooks/connection";
import { registerConnectionSecrets } from "../../../functions/hooks/secret-mask";
import { registerDag } from "../../../functions/register-dag";
import { dag, http, python } from "../../../orchestrations/runtime";
import { registerHostileDag } from "./hostile";

/** Reasons the failure callback was given, as task code would see them. */
export const callbackReasons: (string | null)[] = [];

registerCallable("mask.leak", (kwargs, ctx) => {
  const conn = getConnection("secret_api");
  registerConnectionSecrets(conn);
  ctx.log(`logging in as ${conn.login} with password ${conn.password}`);
  const uri = process.env.AIRFLOW_CONN_SECRET_API ?? "";
  throw new Error(`login refused for ${conn.login}:${conn.password} (connection ${uri})`);
});

registerCallable("mask.leak_string", () => {
  const conn = getConnection("secret_api");
  registerConnectionSecrets(conn);
  // A thrown non-Error, which takes another path through the wrapper.
  throw `bad password ${conn.password}`;
});

registerCallback("mask.on_failure", (info) => {
  callbackReasons.push(info.reason);
});

registerDag(dag({
  dagId: "mask_leaks",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("leak", python("mask.leak"), { retries: 1, retryDelay: "10s", onFailureCallback: "mask.on_failure" });
    t.task("leak_string", python("mask.leak_string"));
    // Basic auth from the connection's login and password against the local server, which refuses it.
    t.task("http_refused", http({ conn_id: "secret_api", endpoint: "private" }));
  },
}));

registerHostileDag({ dagId: "hostile_secrets", connId: "hostile_pg", storageConnId: "hostile_lake" });
