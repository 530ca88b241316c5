// Faults in the micro-batching tasks: a Kafka broker that is down and a Spark job that fails each
// fail their task with a message naming the cause, after the retries the task is configured for;
// a run marked failed through the REST API while its Spark job runs leaves no job running.
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime } from "../support/dag-runs";
import { needService } from "../support/services";

describe("micro-batching faults", { timeout: 600_000 }, () => {
  let rt: LocalDagRuntime;
  let dir: string;
  before(async (t) => {
    const ctx = t as unknown as TestContext;
    for (const s of ["azurite", "postgres", "spark"] as const) if (!(await needService(ctx, s))) return;
    process.env.AIRFLOW_CONN_KAFKA_UNREACHABLE = JSON.stringify({ conn_type: "kafka", extra: { "bootstrap.servers": "127.0.0.1:9" } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-faults-"));
    fs.writeFileSync(path.join(dir, "fail.py"), [
      "import sys",
      "from pyspark.sql import SparkSession",
      "spark = SparkSession.builder.getOrCreate()",
      "raise RuntimeError('input table is missing for ' + sys.argv[1])",
    ].join("\n"));
    fs.writeFileSync(path.join(dir, "sleep.py"), [
      "import time",
      "from pyspark.sql import SparkSession",
      "spark = SparkSession.builder.getOrCreate()",
      "print('JOB_SLEEPING', flush=True)",
      "time.sleep(600)",
    ].join("\n"));
    rt = await startTestRuntime("micro-batching-faults");
  });
  after(async () => {
    await rt?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("a broker that is down fails load_batches naming the broker, after its retry", async () => {
    const run = await runDag(rt, "mb_fault_load");
    const ti = run.ti("load_batches");
    assert.equal(ti.state, "failed");
    assert.equal(ti.try_number, 2, "tried twice (retries: 1)");
    assert.match(ti.error ?? "", /Kafka load of topic 'micro_batching_logs' failed: the broker is unreachable/);
    assert.match(ti.error ?? "", /127\.0\.0\.1:9|ECONNREFUSED/);
  });

  it("a Spark job that fails fails its task with the driver log's tail, after its retry", async () => {
    const run = await runDag(rt, "mb_fault_spark", { conf: { app: path.join(dir, "fail.py") } });
    const ti = run.ti("spark_job");
    assert.equal(ti.state, "failed");
    assert.equal(ti.try_number, 2);
    assert.match(ti.error ?? "", /Spark job failed \(spark-submit exited with code \d+\)\. Driver log tail: .*RuntimeError: input table is missing for manual__/);
    assert.equal(ti.external_executor_id, undefined, "no job left recorded as open");
  });

  it("marking a run failed through the REST API stops its orchestration and the Spark job it left running", async () => {
    const { createDagRun } = await import("../../functions/runs/create-dag-run");
    const { getDag } = await import("../../functions/dag-registry");
    const created = await createDagRun({ ledger: rt.ledger, starter: rt.starter, now: new Date() }, getDag("mb_fault_spark")!, {
      runType: "manual", logicalDate: new Date(Date.now() - Math.floor(Math.random() * 1e9)).toISOString(), conf: { app: path.join(dir, "sleep.py") },
    });
    assert.ok(created.created);
    const runId = created.run.dag_run_id;
    // The job's handle is on its task instance once spark-submit has started it.
    let pid = 0;
    for (let i = 0; i < 600 && !pid; i++) {
      const ti = (await rt.ledger.listTaskInstances("mb_fault_spark", runId)).find((t) => t.task_id === "spark_job");
      if (ti?.external_executor_id) pid = (JSON.parse(ti.external_executor_id) as { handle: { pid: number } }).handle.pid;
      else await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(pid > 0, "the job was started and recorded");
    assert.ok(processGroupAlive(pid));
    const res = await fetch(`${rt.origin}/api/v1/dags/mb_fault_spark/dagRuns/${encodeURIComponent(runId)}`, {
      method: "PATCH", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: "failed" }),
    });
    assert.equal(res.status, 200, await res.text());
    assert.equal(rt.engine.getStatus(created.run.instance_id)?.runtimeStatus, "Terminated");
    assert.equal(processGroupAlive(pid), false, "no process of the Spark job is left");
    const ti = (await rt.ledger.listTaskInstances("mb_fault_spark", runId)).find((t) => t.task_id === "spark_job")!;
    assert.equal(ti.state, "failed");
    assert.equal(ti.external_executor_id, undefined, "the job is no longer recorded as open");
  });
});

/** Whether any live process is in the group spark-submit was started in (its pid is the group id). */
function processGroupAlive(pgid: number): boolean {
  for (const entry of fs.readdirSync("/proc").filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid && fields[0] !== "Z") return true;
    } catch {
      // gone meanwhile
    }
  }
  return false;
}
