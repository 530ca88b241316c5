// The Spark dispatch against real spark-submit: the submit / status / cancel activities on the
// local master and on a real standalone cluster (services up spark-cluster), a job's secrets
// kept out of its command line and driver log, a failed job's log tail in the task's error, and
// cancelling every open job of a run from the handles recorded on its task instances.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { OperatorContext } from "../../../functions/activities/operator";
import { sparkJobCancelOperator, sparkJobStatusOperator, sparkSubmitOperator } from "../../../functions/activities/spark-submit";
import { appRunLedger } from "../../../functions/runs/app-run-ledger";
import { cancelRunSparkJobs } from "../../../functions/runs/cancel-spark-jobs";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { upService, downService } from "../../../tools/services/lifecycle";
import { sparkCluster, sparkClusterMaster } from "../../../tools/services/spark-cluster";
import { needService, settings, uniqueName } from "../../support/services";

const SECRET = `S3cret-${randomBytes(12).toString("hex")}`;
const JOB = `
import hashlib, os, sys
from pyspark.sql import SparkSession
from azflow_job import connection
mode = sys.argv[1]
spark = SparkSession.builder.appName("azflow-dispatch-test").getOrCreate()
print("JOB_MASTER", spark.sparkContext.master, flush=True)
if mode == "secret":
    c = connection("dispatch_secret")
    print("JOB_SECRET_SHA", hashlib.sha256(c["password"].encode()).hexdigest(), flush=True)
    print("JOB_ROWS", spark.range(10).count(), flush=True)
elif mode == "fail":
    raise ValueError("boom-" + sys.argv[2])
elif mode == "sleep":
    import time
    print("JOB_SLEEPING", flush=True)
    time.sleep(600)
spark.stop()
`;

let dir: string;
const runId = uniqueName("manual__dispatch_");

function ctx(taskId: string): OperatorContext {
  return {
    dagId: "spark_dispatch_test", runId, taskId, mapIndex: -1, tryNumber: 1, logicalDate: new Date().toISOString(),
    templateContext: {}, render: (t: string) => t, log: () => undefined, signal: new AbortController().signal,
    appRoot: settings().projectRoot, invocation: undefined as never,
  };
}

function submitConfig(args: string[], extra: Record<string, unknown> = {}) {
  return sparkSubmitOperator.parse({
    application: path.join(dir, "job.py"), application_args: args, py_files: ["jobs/common/azflow_job.py"],
    conn_ids: ["dispatch_secret"], driver_memory: "512m", poke_interval: 1, conf: { "spark.logConf": "true" }, ...extra,
  }, "test");
}

type FollowUp = { $followUp: { operator: string; config: Record<string, unknown>; pokeIntervalSeconds: number; cancel: { operator: string; config: Record<string, unknown> } } };

async function submit(taskId: string, args: string[], extra: Record<string, unknown> = {}): Promise<FollowUp> {
  return (await sparkSubmitOperator.execute(submitConfig(args, extra), ctx(taskId))) as FollowUp;
}

/** Pokes the status check as the orchestrator would, until it is done or throws. */
async function waitForJob(taskId: string, follow: FollowUp, timeoutMs = 240_000): Promise<void> {
  const check = sparkJobStatusOperator.parse(follow.$followUp.config, "test");
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const poke = (await sparkJobStatusOperator.execute(check, ctx(taskId))) as { done: boolean };
    if (poke.done) return;
    if (Date.now() > deadline) throw new Error("the job did not finish in time");
    await new Promise((r) => setTimeout(r, 1000));
  }
}

async function recordedHandle(taskId: string): Promise<string | undefined> {
  const tis = await appRunLedger().listTaskInstances("spark_dispatch_test", runId);
  return tis.find((t) => t.task_id === taskId)?.external_executor_id;
}

/** Every process of the job's group and below: their command lines. */
function commandLines(pid: number): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const pgid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[2]);
      const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
      if (pgid === pid && state !== "Z") out.push(fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0").join(" "));
    } catch {
      // gone
    }
  }
  return out;
}

function groupAlive(pid: number): boolean {
  return commandLines(pid).length > 0;
}

describe("Spark dispatch: submit, status and cancel activities", { timeout: 900_000 }, () => {
  let ready = false;
  before(async (t) => {
    if (!(await needService(t as never, "spark")) || !(await needService(t as never, "azurite"))) return;
    applyLocalAppSettings(settings());
    process.env.AIRFLOW_CONN_DISPATCH_SECRET = JSON.stringify({ conn_type: "postgres", host: "db.example", login: "app", password: SECRET, schema: "x" });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-dispatch-"));
    fs.writeFileSync(path.join(dir, "job.py"), JOB);
    ready = true;
  });
  after(() => {
    if (ready) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("hands the job its connection in its environment: no secret in the command line, the driver log or the follow-up", async () => {
    const follow = await submit("secret_job", ["secret"]);
    const handle = follow.$followUp.config.handle as { pid: number; logFile: string };
    assert.equal(follow.$followUp.operator, "spark_job_status");
    assert.deepEqual(follow.$followUp.cancel.operator, "spark_job_cancel");
    assert.ok(await recordedHandle("secret_job"), "the job handle is on the task instance");
    // Look at the running processes while the job runs.
    const seen = new Set<string>();
    for (let i = 0; i < 40 && groupAlive(handle.pid); i++) {
      for (const line of commandLines(handle.pid)) seen.add(line);
      await new Promise((r) => setTimeout(r, 250));
    }
    await waitForJob("secret_job", follow);
    const log = fs.readFileSync(handle.logFile, "utf8");
    assert.ok([...seen].some((l) => l.includes("spark-submit") || l.includes("SparkSubmit")), `saw spark-submit among ${[...seen].length} command lines`);
    for (const line of seen) assert.ok(!line.includes(SECRET), "no secret on a command line");
    assert.ok(!log.includes(SECRET), "no secret in the driver log");
    assert.match(log, /spark\.logConf/, "the Spark conf was logged");
    assert.ok(log.includes(`JOB_SECRET_SHA ${createHash("sha256").update(SECRET).digest("hex")}`), "the job read the secret");
    assert.ok(!JSON.stringify(follow).includes(SECRET), "no secret in what goes to orchestration history");
    assert.equal(await recordedHandle("secret_job"), undefined, "the handle is cleared when the job ends");
  });

  it("a failed job fails its status check naming the cause, with the driver log's tail", async () => {
    const marker = randomBytes(4).toString("hex");
    const follow = await submit("failing_job", ["fail", marker]);
    await assert.rejects(waitForJob("failing_job", follow), (err: Error) => {
      assert.match(err.message, /^Spark job failed \(spark-submit exited with code \d+\)\. Driver log tail: /);
      assert.ok(err.message.includes(`ValueError: boom-${marker}`), err.message.slice(0, 400));
      assert.ok(!err.message.includes("\n"), "one line, as the orchestrator keeps it");
      return true;
    });
  });

  it("the cancel activity stops a running job and everything it started", async () => {
    const follow = await submit("sleeping_job", ["sleep"]);
    const handle = follow.$followUp.config.handle as { pid: number; logFile: string };
    for (let i = 0; i < 120 && !fs.readFileSync(handle.logFile, "utf8").includes("JOB_SLEEPING"); i++) await new Promise((r) => setTimeout(r, 500));
    const cancel = sparkJobCancelOperator.parse(follow.$followUp.cancel.config, "test");
    const result = await sparkJobCancelOperator.execute(cancel, ctx("sleeping_job"));
    assert.deepEqual(result, { state: "cancelled", detail: "cancelled" });
    assert.equal(groupAlive(handle.pid), false, "no process of the job is left");
    await assert.rejects(waitForJob("sleeping_job", follow), /Spark job was cancelled/);
    // Cancelling again is harmless.
    assert.equal(((await sparkJobCancelOperator.execute(cancel, ctx("sleeping_job"))) as { state: string }).state, "cancelled");
  });

  it("cancelRunSparkJobs stops every job a run still has open, from the handles on its task instances", async () => {
    const a = await submit("open_a", ["sleep"]);
    const b = await submit("open_b", ["sleep"]);
    const pids = [a, b].map((f) => (f.$followUp.config.handle as { pid: number }).pid);
    assert.ok(pids.every(groupAlive));
    const cancelled = await cancelRunSparkJobs(appRunLedger(), "spark_dispatch_test", runId);
    assert.deepEqual(cancelled.map((c) => [c.taskId, c.state]).sort(), [["open_a", "cancelled"], ["open_b", "cancelled"]]);
    assert.ok(pids.every((p) => !groupAlive(p)));
    assert.equal(await recordedHandle("open_a"), undefined);
    assert.deepEqual(await cancelRunSparkJobs(appRunLedger(), "spark_dispatch_test", runId), [], "nothing left to cancel");
  });

  it("runs a job on a real standalone cluster (spark://) when the connection names one", async () => {
    const s = settings();
    const up = await upService(sparkCluster, s);
    try {
      process.env.AIRFLOW_CONN_SPARK_CLUSTER_TEST = JSON.stringify({
        conn_type: "spark", host: sparkClusterMaster(s),
        extra: { ...JSON.parse(process.env.AIRFLOW_CONN_SPARK_DEFAULT!).extra, conf: { "spark.driver.host": "127.0.0.1", "spark.ui.enabled": "false" } },
      });
      const follow = await submit("cluster_job", ["secret"], { conn_id: "spark_cluster_test", executor_memory: "512m", executor_cores: 1, num_executors: 1 });
      await waitForJob("cluster_job", follow);
      const log = fs.readFileSync((follow.$followUp.config.handle as { logFile: string }).logFile, "utf8");
      assert.ok(log.includes(`JOB_MASTER ${sparkClusterMaster(s)}`), "the driver ran against the cluster");
      assert.match(log, /JOB_ROWS 10/);
      assert.ok(!log.includes(SECRET));
    } finally {
      if (up.state === "started") await downService(sparkCluster, s);
    }
  });
});
