// Secret masking end to end: a connection's password, put by task code into a log line and into
// the errors of a failing task (and its retry and failure callback), must appear nowhere a run
// leaves traces: the orchestration history, the ledger (runs and task instances) and the log.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startLocalDagRuntime, type LocalDagRuntime } from "../../../tools/dagrun/local-dag-runtime";
import { runDag, testAppEntry } from "../../support/dag-runs";
import { needService } from "../../support/services";

type MaskingApp = typeof import("../../apps/secret-masking/index");

const LOGIN = "svc_reader";
// Characters that URIs encode, so both the raw and the encoded form must be masked.
const PASSWORD = "Pa55 w/rd@azflow-secret";
const ENCODED = encodeURIComponent(PASSWORD);
// The hostile DAG's: a `+` (kept by Airflow's unquote) and a storage account key.
const HOSTILE_PASSWORD = "Ho5tile+Pw/only-in-settings";
const HOSTILE_URI = `postgres://svc_hostile:${encodeURIComponent(HOSTILE_PASSWORD).replace("%2B", "+")}@127.0.0.1:9/hostile`;
const ACCOUNT_KEY = "aG9zdGlsZS1zdG9yYWdlLWFjY291bnQta2V5LWZvci10ZXN0cw+/9Q==";

describe("secret masking end to end", () => {
  let rt: LocalDagRuntime;
  let app: MaskingApp;
  let server: http.Server;
  const logLines: string[] = [];
  const authSeen: string[] = [];

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    // A local server standing in for a private API: it refuses every login.
    server = http.createServer((req, res) => {
      authSeen.push(String(req.headers.authorization ?? ""));
      res.writeHead(401, { "Content-Type": "text/plain" }).end("unauthorized");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    process.env.AIRFLOW_CONN_SECRET_API = `http://${LOGIN}:${ENCODED}@127.0.0.1:${(server.address() as AddressInfo).port}`;
    process.env.AIRFLOW_CONN_HOSTILE_PG = HOSTILE_URI;
    process.env.AIRFLOW_CONN_HOSTILE_LAKE = JSON.stringify({
      conn_type: "wasb", extra: { connection_string: `DefaultEndpointsProtocol=https;AccountName=hostile;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net` },
    });
    rt = await startLocalDagRuntime({ entry: testAppEntry("secret-masking"), log: (line) => logLines.push(line) });
    app = (await import(testAppEntry("secret-masking"))) as MaskingApp;
  });
  after(async () => {
    await rt?.close();
    server?.close();
  });

  // Runs first: nothing has resolved these connections in this process yet.
  it("task code that reads secrets straight from the settings leaks them nowhere: log, console, error, XCom, bash", async () => {
    const r = await runDag(rt, "hostile_secrets");
    assert.equal(r.output.state, "failed", "the throwing task fails the run");
    const leak = r.ti("leak");
    assert.equal(leak.state, "success");
    // The XCom kept its shape; only the secrets are gone.
    assert.deepEqual(JSON.parse(String(leak.xcom)), {
      password: "***", key: "***", uri: "***", nested: ["pw=***", { note: "key ***" }], count: 3,
    });
    assert.equal(r.ti("throw").state, "failed");
    assert.equal(r.ti("throw").try_number, 2);
    assert.match(r.ti("throw").error ?? "", /^cannot log in with \*\*\* \(\*\*\*\), key \*\*\*/);
    // No connection setting reaches a bash task's environment...
    assert.equal(JSON.parse(String(r.ti("echo_env").xcom)), "conn=[] count=0");
    // ...unless the task names it; then its output is masked.
    assert.equal(JSON.parse(String(r.ti("echo_asked").xcom)), "[***]");
    // Console output is in the task's log, attributed to the task and masked.
    const line = (text: string) => logLines.find((l) => l.includes(text));
    assert.match(line("console.log:") ?? "", /\[hostile_secrets\.leak \(python\) try 1\] console\.log: \*\*\* \*\*\*$/);
    assert.match(line("console.error:") ?? "", /\[hostile_secrets\.leak \(python\) try 1\] console\.error: \*\*\*$/);
    assert.match(line("ctx.log:") ?? "", /ctx\.log: password \*\*\*, account key \*\*\*/);
    assert.match(line("password: '***'") ?? "", /password: '\*\*\*',\s+key: '\*\*\*'/, "console.warn of an object, formatted and masked");

    const places: [string, string][] = [
      ["orchestration history", JSON.stringify(r.history)],
      ["run output", JSON.stringify(r.output)],
      ["ledger task instances", JSON.stringify(await rt.ledger.listTaskInstances("hostile_secrets", r.run.dag_run_id))],
      ["ledger run", JSON.stringify(await rt.ledger.getDagRun("hostile_secrets", r.run.dag_run_id))],
      ["log", logLines.join("\n")],
    ];
    for (const [where, text] of places) {
      for (const secret of [HOSTILE_PASSWORD, encodeURIComponent(HOSTILE_PASSWORD), HOSTILE_URI, "Ho5tile+Pw", ACCOUNT_KEY, "aG9zdGlsZS1zdG9yYWdl"]) {
        assert.ok(!text.includes(secret), `${where} contains '${secret}'`);
      }
    }
  });

  it("the password never reaches history, ledger or logs, even from errors that contain it", async () => {
    const r = await runDag(rt, "mask_leaks");
    assert.equal(r.output.state, "failed");

    // The tasks did leak it: the masked text is where the password was.
    const leak = r.ti("leak");
    assert.equal(leak.state, "failed");
    assert.equal(leak.try_number, 2, "the retry failed too");
    // The connection's URI form is a secret of its own, masked whole.
    assert.match(leak.error ?? "", new RegExp(`login refused for ${LOGIN}:\\*\\*\\* \\(connection \\*\\*\\*\\)`));
    assert.equal(r.ti("leak_string").state, "failed");
    assert.match(r.ti("leak_string").error ?? "", /bad password \*\*\*/);
    assert.equal(r.ti("http_refused").state, "failed");
    assert.match(r.ti("http_refused").error ?? "", /401/);
    // The server did get the credentials (basic auth), so the connection really carried them.
    assert.ok(authSeen.includes(`Basic ${Buffer.from(`${LOGIN}:${PASSWORD}`).toString("base64")}`), "basic auth from the connection");
    assert.ok(logLines.some((l) => l.includes(`logging in as ${LOGIN} with password ***`)), "the log line was captured, masked");
    assert.ok(app.callbackReasons.some((reason) => (reason ?? "").includes(`${LOGIN}:***`)), "the failure callback got the masked reason");

    const runs = await rt.ledger.listDagRuns("mask_leaks");
    const places: [string, string][] = [
      ["orchestration history", JSON.stringify(r.history)],
      ["run output", JSON.stringify(r.output)],
      ["ledger task instances", JSON.stringify(await rt.ledger.listTaskInstances("mask_leaks", r.run.dag_run_id))],
      ["ledger runs", JSON.stringify(runs)],
      ["log", logLines.join("\n")],
      ["failure callback reasons", JSON.stringify(app.callbackReasons)],
    ];
    assert.ok(logLines.length > 0 && r.history.length > 0);
    for (const [where, text] of places) {
      for (const secret of [PASSWORD, ENCODED, "Pa55", "w/rd@azflow"]) {
        assert.ok(!text.includes(secret), `${where} contains '${secret}'`);
      }
      // The basic-auth header value would reveal it too.
      assert.ok(!text.includes(Buffer.from(`${LOGIN}:${PASSWORD}`).toString("base64")), `${where} contains the basic-auth token`);
    }
  });
});
