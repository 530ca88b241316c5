// The Livy backend of the Spark dispatch against a local server standing in for Synapse's Livy
// batch API (create, state, log, delete, under the Synapse URL shape) and for the managed
// identity token endpoint: the token is an Entra token for https://dev.azuresynapse.net asked
// for the identity AZURE_CLIENT_ID names, and a job's secrets reach it as a file, never in the
// request, its conf or the driver log.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { OperatorContext } from "../../../functions/activities/operator";
import { sparkJobCancelOperator, sparkJobStatusOperator, sparkSubmitOperator } from "../../../functions/activities/spark-submit";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { startLivyStandIn, type LivyStandIn } from "../../support/livy-standin";
import { needService, settings, uniqueName } from "../../support/services";

const SECRET = `LivyS3cret-${randomBytes(10).toString("hex")}`;
const JOB = `
import hashlib, os, sys, time
from pyspark.sql import SparkSession
from azflow_job import connection
spark = SparkSession.builder.appName("azflow-livy-test").getOrCreate()
c = connection("livy_secret")
print("JOB_SECRET_SHA", hashlib.sha256(c["password"].encode()).hexdigest(), flush=True)
print("JOB_SECRETS_FILE_SET", bool(os.environ.get("AZFLOW_SECRETS_FILE")), flush=True)
if sys.argv[1] == "sleep":
    print("JOB_SLEEPING", flush=True)
    time.sleep(600)
spark.stop()
`;

describe("Spark dispatch through the Livy batch API (local server standing in for Synapse Livy and the managed identity endpoint)", { timeout: 600_000 }, () => {
  let livy: LivyStandIn;
  let dir: string;
  const runId = uniqueName("manual__livy_");
  const ctx = (taskId: string): OperatorContext => ({
    dagId: "livy_test", runId, taskId, mapIndex: -1, tryNumber: 1, logicalDate: new Date().toISOString(), templateContext: {},
    render: (t: string) => t, log: () => undefined, signal: new AbortController().signal, appRoot: settings().projectRoot, invocation: undefined as never,
  });
  let ready = false;

  before(async (t) => {
    if (!(await needService(t as never, "spark")) || !(await needService(t as never, "azurite"))) return;
    applyLocalAppSettings(settings());
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-livy-"));
    fs.writeFileSync(path.join(dir, "job.py"), JOB);
    const local = JSON.parse(process.env.AIRFLOW_CONN_SPARK_DEFAULT!).extra as { spark_submit: string; python: string; conf: Record<string, string> };
    livy = await startLivyStandIn({ sparkSubmit: local.spark_submit, python: local.python, jars: [], conf: local.conf, logDir: path.join(dir, "driver-logs") });
    // The app's managed identity, as App Service / Functions present it.
    process.env.IDENTITY_ENDPOINT = livy.identityEndpoint;
    process.env.IDENTITY_HEADER = livy.identityHeader;
    process.env.AZURE_CLIENT_ID = "11111111-2222-3333-4444-555555555555";
    process.env.AIRFLOW_CONN_LIVY_TEST = JSON.stringify({ conn_type: "livy", host: livy.livyUrl, extra: { secrets_dir: path.join(dir, "secrets"), driver_memory: "512m" } });
    process.env.AIRFLOW_CONN_LIVY_SECRET = JSON.stringify({ conn_type: "postgres", host: "db.example", login: "app", password: SECRET });
    ready = true;
  });
  after(async () => {
    if (!ready) return;
    await livy.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const submit = async (taskId: string, mode: string) => (await sparkSubmitOperator.execute(sparkSubmitOperator.parse({
    conn_id: "livy_test", application: path.join(dir, "job.py"), application_args: [mode], py_files: ["jobs/common/azflow_job.py"],
    conn_ids: ["livy_secret"], env_vars: { PLAIN_SETTING: "visible" }, poke_interval: 1,
  }, "test"), ctx(taskId))) as { $followUp: { config: Record<string, unknown>; cancel: { config: Record<string, unknown> } } };

  it("creates a batch with an Entra token, polls its state, reads its log; secrets only in a file the job reads", async () => {
    const follow = await submit("livy_job", "run");
    const handle = follow.$followUp.config.handle as { backend: string; batchId: number; url: string; secretsFile: string };
    assert.equal(handle.backend, "livy");
    assert.equal(handle.url, livy.livyUrl);
    assert.ok(fs.existsSync(handle.secretsFile), "the secrets file exists while the job runs");
    assert.equal(fs.statSync(handle.secretsFile).mode & 0o777, 0o600, "only its owner reads it");
    const check = sparkJobStatusOperator.parse(follow.$followUp.config, "test");
    for (let i = 0; ; i++) {
      if (((await sparkJobStatusOperator.execute(check, ctx("livy_job"))) as { done: boolean }).done) break;
      assert.ok(i < 240, "the batch finished");
      await new Promise((r) => setTimeout(r, 1000));
    }
    const create = livy.requests.find((r) => r.method === "POST")!;
    const body = JSON.parse(create.body) as { file: string; conf: Record<string, string>; pyFiles: string[]; driverMemory: string };
    assert.equal(body.file, path.join(dir, "job.py"));
    assert.equal(body.driverMemory, "512m", "the connection's defaults");
    assert.equal(body.conf["spark.yarn.appMasterEnv.PLAIN_SETTING"], "visible");
    assert.equal(body.conf["spark.yarn.appMasterEnv.AZFLOW_SECRETS_FILE"], handle.secretsFile);
    assert.ok(livy.requests.every((r) => !r.body.includes(SECRET) && !r.path.includes(SECRET)), "no secret in any request");
    assert.ok(livy.requests.some((r) => r.path.endsWith(`/batches/${handle.batchId}/state`)));
    // Every Livy call carried a token minted for Synapse, for the app's identity.
    assert.ok(livy.tokens.length >= 1);
    assert.ok(livy.tokens.every((t) => t.resource === "https://dev.azuresynapse.net" && t.clientId === process.env.AZURE_CLIENT_ID));
    assert.ok(livy.requests.every((r) => livy.tokens.some((t) => r.authorization === `Bearer ${t.token}`)));
    const log = (await (await fetch(`${livy.livyUrl}/batches/${handle.batchId}/log?from=0&size=100000`, { headers: { authorization: `Bearer ${livy.tokens[0].token}` } })).json()) as { log: string[] };
    const text = log.log.join("\n");
    assert.ok(text.includes(`JOB_SECRET_SHA ${createHash("sha256").update(SECRET).digest("hex")}`), "the job read its secret");
    assert.ok(!text.includes(SECRET), "no secret in the driver log");
    assert.equal(fs.existsSync(handle.secretsFile), false, "the secrets file is removed when the job ends");
  });

  it("cancels a batch with DELETE", async () => {
    const follow = await submit("livy_sleep", "sleep");
    const check = sparkJobStatusOperator.parse(follow.$followUp.config, "test");
    await new Promise((r) => setTimeout(r, 3000));
    const cancel = sparkJobCancelOperator.parse(follow.$followUp.cancel.config, "test");
    assert.equal(((await sparkJobCancelOperator.execute(cancel, ctx("livy_sleep"))) as { state: string }).state, "cancelled");
    assert.ok(livy.requests.some((r) => r.method === "DELETE"));
    await assert.rejects(sparkJobStatusOperator.execute(check, ctx("livy_sleep")), /Spark job was cancelled \(killed\)/);
  });
});
