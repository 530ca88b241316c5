// Faults in the micro-batching tasks: a Kafka broker that is down and a Spark job that fails each
// fail their task with a message naming the cause, after the retries the task is configured for.
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
});
