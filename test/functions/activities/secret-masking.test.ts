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
    rt = await startLocalDagRuntime({ entry: testAppEntry("secret-masking"), log: (line) => logLines.push(line) });
    app = (await import(testAppEntry("secret-masking"))) as MaskingApp;
  });
  after(async () => {
    await rt?.close();
    server?.close();
  });

  it("the password never reaches history, ledger or logs, even from errors that contain it", async () => {
    const r = await runDag(rt, "mask_leaks");
    assert.equal(r.output.state, "failed");

    // The tasks did leak it: the masked text is where the password was.
    const leak = r.ti("leak");
    assert.equal(leak.state, "failed");
    assert.equal(leak.try_number, 2, "the retry failed too");
    assert.match(leak.error ?? "", new RegExp(`login refused for ${LOGIN}:\\*\\*\\* \\(connection http://${LOGIN}:\\*\\*\\*@127\\.0\\.0\\.1:`));
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
