// The four micro-batching DAGs end to end on the local runtime with the real services: prepare
// creates the containers and tables and starts the generator; generate produces and triggers the
// day's load once (a second run the same day takes `skip`); load drains the topic into `logs`
// exactly once per offset and triggers the transformation; the two PySpark jobs enrich every
// uploaded row once and write the four aggregates, which add up to the enriched rows.
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { Client } from "pg";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import { isTerminal } from "../../tools/devhost";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime, type FinishedRun } from "../support/dag-runs";
import { kafkaBrokers, needService, pgConfig } from "../support/services";

const TOPIC = "micro_batching_logs";
const GROUP = `azflow-loader-${TOPIC}`;

/** Waits until every orchestration the runtime knows has ended (triggered runs included). */
async function settle(rt: LocalDagRuntime): Promise<void> {
  for (;;) {
    const open = rt.engine.list().filter((s) => !isTerminal(s.runtimeStatus));
    if (!open.length) return;
    await Promise.all(open.map((s) => rt.engine.waitForCompletion(s.instanceId, { timeoutMs: 600_000 }).catch(() => undefined)));
  }
}

function states(run: FinishedRun): Record<string, string | null> {
  return Object.fromEntries(run.tasks.map((t) => [t.task_id, t.state]));
}

async function offsets(kafka: Kafka): Promise<{ committed: Map<number, number>; high: Map<number, number> }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, done] = await Promise.all([admin.fetchTopicOffsets(TOPIC), admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] })]);
    return {
      high: new Map(ends.map((p) => [p.partition, Number(p.high)])),
      committed: new Map((done[0]?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))])),
    };
  } finally {
    await admin.disconnect();
  }
}

describe("micro-batching DAGs end to end", { timeout: 900_000 }, () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  let kafka: Kafka;
  before(async (t) => {
    const ctx = t as unknown as TestContext;
    for (const s of ["azurite", "postgres", "kafka", "spark"] as const) if (!(await needService(ctx, s))) return;
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
    kafka = new Kafka({ clientId: "micro-batching-test", brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
  });
  after(async () => {
    if (rt) await settle(rt);
    await rt?.close();
    await pg?.end();
  });

  it("prepare_env makes the private containers and the tables, then triggers the generator", async () => {
    const run = await runDag(rt, "micro_batching_prepare_env");
    assert.deepEqual(states(run), {
      start: "success", "prepare_azure_env.create_container_micro-batching": "success", "prepare_azure_env.create_container_checkpoint": "success",
      create_logs_table: "success", create_logs_transformed_tables: "success", trigger_generate_data: "success",
    });
    await settle(rt);
    const tables = await pg.query("SELECT table_name FROM information_schema.tables WHERE table_name = ANY($1) ORDER BY 1",
      [["df_age_group", "df_city", "df_country", "df_year_month", "logs", "logs_transformed"]]);
    assert.equal(tables.rowCount, 6);
  });

  it("generate_data produces its messages and triggers the day's load only once", async () => {
    const first = await runDag(rt, "micro_batching_generate_data", { conf: { messages: 40 } });
    assert.deepEqual(JSON.parse(first.ti("produce_messages").xcom!), { topic: TOPIC, messages: 40 });
    const firstChoice = JSON.parse(first.ti("check_and_trigger_dag").xcom!) as string[];
    // Whichever way the first run went (an earlier run today may have triggered the load), the
    // load has now been triggered today, so the next run skips.
    if (firstChoice[0] === "trigger_load_data") assert.equal(first.ti("trigger_load_data").state, "success");
    await settle(rt);
    const second = await runDag(rt, "micro_batching_generate_data", { conf: { messages: 40 } });
    assert.deepEqual(JSON.parse(second.ti("check_and_trigger_dag").xcom!), ["skip"]);
    assert.equal(second.ti("skip").state, "success");
    assert.equal(second.ti("trigger_load_data").state, "skipped");
    assert.equal(second.output.state, "success");
    await settle(rt);
  });

  it("load_data drains the topic into logs once per offset, then the transformation enriches and aggregates every row", async () => {
    const before = await offsets(kafka);
    // A date of its own, so its triggered transformation run is new too.
    const logicalDate = new Date(Date.UTC(2001, 0, 1) + Math.floor(Math.random() * 7000) * 86_400_000).toISOString();
    const load = await runDag(rt, "micro_batching_load_data", { logicalDate });
    assert.equal(load.ti("load_batches").state, "success", load.ti("load_batches").error ?? "");
    assert.equal(load.ti("trigger_transform_data").state, "success");
    const done = await offsets(kafka);
    for (const [partition, high] of done.high) {
      assert.equal(done.committed.get(partition), high, `partition ${partition} drained to its end`);
      const from = before.committed.get(partition) ?? 0;
      const rows = await pg.query(
        "SELECT count(*)::int AS n, count(DISTINCT kafka_offset)::int AS d FROM logs WHERE kafka_topic = $1 AND kafka_partition = $2 AND kafka_offset >= $3 AND kafka_offset < $4",
        [TOPIC, partition, from, high],
      );
      assert.deepEqual(rows.rows[0], { n: high - from, d: high - from }, "every new offset once");
    }
    const triggered = JSON.parse(load.ti("trigger_transform_data").xcom!) as { trigger_run_id: string };
    const status = await rt.engine.waitForCompletion(instanceIdFor("micro_batching_transform_data", triggered.trigger_run_id), { timeoutMs: 600_000 });
    assert.equal(status.runtimeStatus, "Completed");
    const tis = await rt.ledger.listTaskInstances("micro_batching_transform_data", triggered.trigger_run_id);
    assert.deepEqual(Object.fromEntries(tis.map((t) => [t.task_id, t.state])), {
      start: "success", prepare_data_for_transform_job: "success", transformation_job: "success", finish: "success",
    }, JSON.stringify(tis.map((t) => t.error).filter(Boolean)));
    const counts = (await pg.query(`SELECT
        (SELECT count(*) FROM logs WHERE status = 'uploaded')::int AS uploaded,
        (SELECT count(*) FROM logs WHERE status = 'transformed')::int AS transformed,
        (SELECT count(*) FROM logs_transformed)::int AS enriched,
        (SELECT count(*) FROM logs_transformed t JOIN logs l ON l.id = t.log_id)::int AS linked,
        (SELECT coalesce(sum(amount), 0) FROM df_country)::int AS by_country,
        (SELECT coalesce(sum(amount), 0) FROM df_city)::int AS by_city,
        (SELECT coalesce(sum(amount), 0) FROM df_age_group)::int AS by_age_group,
        (SELECT coalesce(sum(current_period_amount), 0) FROM df_year_month)::int AS by_month,
        (SELECT count(*) FROM logs_transformed WHERE country IS NULL OR age_group IS NULL OR device_type IS NULL)::int AS unenriched`)).rows[0];
    assert.equal(counts.uploaded, 0, "every uploaded row was prepared");
    assert.ok(counts.enriched > 0);
    assert.equal(counts.enriched, counts.transformed, "one enriched row per transformed source row");
    assert.equal(counts.linked, counts.enriched);
    assert.equal(counts.unenriched, 0);
    for (const k of ["by_country", "by_city", "by_age_group", "by_month"]) assert.equal(counts[k], counts.enriched, k);
    const years = await pg.query("SELECT years, round(sum(percentage_per_year)::numeric, 0)::int AS pct FROM df_year_month GROUP BY years");
    for (const y of years.rows) assert.equal(y.pct, 100, `percentages of ${y.years} add up to 100`);
  });
});
