// The micro-batching PySpark jobs through real spark-submit against the local broker and
// Postgres: the Spark loader (Kafka source, availableNow, checkpoint kept between runs) into
// Postgres and into files, dead letters beside them; and the prepare job killed by SIGKILL while
// it writes, then run again: every row enriched once, none lost.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { Client } from "pg";
import { userActivities } from "../../functions/callables/micro-batching-generate-data";
import { applyLocalAppSettings } from "../../tools/services/app-env";
import { kafkaBrokers, needService, pgConfig, settings, sparkCommand, sparkSubmit, uniqueName } from "../support/services";

const root = settings().projectRoot;
const LOAD_JOB = path.join(root, "jobs/micro_batching_load_data/load_job.py");
const PREPARE_JOB = path.join(root, "jobs/micro_batching_transform_data/prepare_job.py");
const HELPER = path.join(root, "jobs/common/azflow_job.py");
const sqlFile = (f: string) => fs.readFileSync(path.join(root, "orchestrations/sql/micro_batching_prepare_env", f), "utf8");

describe("micro-batching PySpark jobs", { timeout: 900_000 }, () => {
  let pg: Client;
  let kafka: Kafka;
  let dir: string;
  let ready = false;
  before(async (t) => {
    const ctx = t as unknown as TestContext;
    for (const s of ["postgres", "kafka", "spark"] as const) if (!(await needService(ctx, s))) return;
    applyLocalAppSettings(settings());
    pg = new Client(pgConfig());
    await pg.connect();
    kafka = new Kafka({ clientId: "spark-jobs-test", brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-mb-jobs-"));
    ready = true;
  });
  after(async () => {
    if (!ready) return;
    await pg.end();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function produce(topic: string, values: Buffer[]): Promise<void> {
    const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
  }

  const good = (n: number, seed: number): Buffer[] => [...userActivities({ seed, count: n, until: "2024-06-01T00:00:00Z" })].map((m) => Buffer.from(JSON.stringify(m)));
  const bad = [Buffer.from("not json"), Buffer.from('{"username": 1}'), Buffer.from([0xff, 0xfe])];

  async function load(args: string[]): Promise<string> {
    const run = await sparkSubmit({ app: LOAD_JOB, pyFiles: [HELPER], appArgs: args }, 300_000);
    assert.equal(run.code, 0, run.stderr.slice(-3000));
    return run.stdout;
  }

  function deadLetterLines(base: string): number {
    if (!fs.existsSync(base)) return 0;
    let n = 0;
    for (const d of fs.readdirSync(base)) {
      for (const f of fs.readdirSync(path.join(base, d)).filter((x) => x.endsWith(".json"))) {
        n += fs.readFileSync(path.join(base, d, f), "utf8").split("\n").filter(Boolean).length;
      }
    }
    return n;
  }

  it("the Spark loader drains the topic into Postgres once per offset, resuming from its checkpoint", async () => {
    const topic = uniqueName("mb-spark-");
    const table = uniqueName("mb_spark_logs_");
    await pg.query(sqlFile("create_logs_table.sql").replace("CREATE TABLE IF NOT EXISTS logs (", `CREATE TABLE ${table} (`));
    await produce(topic, [...good(150, 3), ...bad, ...good(150, 4)]);
    const checkpoint = path.join(dir, `cp-${topic}`);
    const dead = path.join(dir, `dead-${topic}`);
    const args = ["--topic", topic, "--sink", "postgres", "--table", table, "--checkpoint", checkpoint, "--dead-letter-path", dead, "--max-offsets-per-trigger", "100"];
    const out = await load(args);
    assert.match(out, /LOAD_DONE batches=\d+ loaded=300 dead=3/);
    const count = async () => (await pg.query(`SELECT count(*)::int AS n, count(DISTINCT kafka_offset)::int AS d FROM ${table}`)).rows[0];
    assert.deepEqual(await count(), { n: 300, d: 300 });
    assert.equal(deadLetterLines(dead), 3);
    // Again: the checkpoint says everything was read.
    assert.match(await load(args), /LOAD_DONE batches=0 loaded=0 dead=0/);
    await produce(topic, good(40, 5));
    assert.match(await load(args), /loaded=40 dead=0/);
    assert.deepEqual(await count(), { n: 340, d: 340 });
    await pg.query(`DROP TABLE ${table}; DROP TABLE IF EXISTS ${table}_spark_stage`);
  });

  it("the Spark loader writes pipe-delimited CSV files with a header per batch", async () => {
    const topic = uniqueName("mb-spark-files-");
    await produce(topic, [...good(30, 8), bad[0]]);
    const output = path.join(dir, `out-${topic}`);
    const out = await load(["--topic", topic, "--sink", "files", "--format", "csv", "--output-path", output,
      "--checkpoint", path.join(dir, `cp-${topic}`), "--dead-letter-path", path.join(dir, `dead-${topic}`)]);
    assert.match(out, /loaded=30 dead=1/);
    let rows = 0;
    for (const batch of fs.readdirSync(output)) {
      for (const f of fs.readdirSync(path.join(output, batch)).filter((x) => x.endsWith(".csv"))) {
        const lines = fs.readFileSync(path.join(output, batch, f), "utf8").trim().split("\n");
        assert.ok(lines[0].startsWith("username|age|gender|"), lines[0]);
        rows += lines.length - 1;
      }
    }
    assert.equal(rows, 30);
  });

  it("prepare killed while it writes, then run again: each uploaded row enriched once, none lost", async () => {
    const source = uniqueName("mb_prep_logs_");
    const target = uniqueName("mb_prep_lt_");
    await pg.query(sqlFile("create_logs_table.sql").replace("CREATE TABLE IF NOT EXISTS logs (", `CREATE TABLE ${source} (`));
    await pg.query(sqlFile("create_logs_transformed_tables.sql").split(";")[0].replace("CREATE TABLE IF NOT EXISTS logs_transformed (", `CREATE TABLE ${target} (`));
    await pg.query(`INSERT INTO ${source} (username, age, gender, ad_position, browsing_history, activity_time, ip_address, log, redirect_from, redirect_to, kafka_topic, kafka_partition, kafka_offset)
      SELECT 'u' || i, 18 + i % 80, 'male', 'footer', 'News', timestamp '2024-01-01' + i * interval '37 minutes', '8.8.' || (i % 250) || '.1',
             'Mozilla/5.0 (Windows NT 10.0; Laptop) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/80.0 Win64; x64 Safari/537.36', 'a.com', 'b.com', 't', 0, i
      FROM generate_series(1, 3000) AS i`);
    const args = ["--source-table", source, "--target-table", target];
    const cmd = sparkCommand({ app: PREPARE_JOB, pyFiles: [HELPER], appArgs: args });
    const child = spawn(cmd.command, cmd.args, { env: cmd.env, detached: true, stdio: "ignore" });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    // Kill it once it has started writing its staging table.
    let killed = false;
    for (let i = 0; i < 600 && !killed; i++) {
      const stage = await pg.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE $1", [`${target}_stage_%`]);
      if (stage.rowCount) {
        process.kill(-child.pid!, "SIGKILL");
        killed = true;
      } else await new Promise((r) => setTimeout(r, 100));
    }
    await exited;
    assert.ok(killed, "the job reached its staging table");
    const state = async () => (await pg.query(`SELECT
      (SELECT count(*) FROM ${target})::int AS enriched, (SELECT count(DISTINCT log_id) FROM ${target})::int AS distinct_ids,
      (SELECT count(*) FROM ${source} WHERE status = 'transformed')::int AS transformed,
      (SELECT count(*) FROM ${source} WHERE status = 'uploaded')::int AS uploaded`)).rows[0];
    const mid = await state();
    assert.equal(mid.enriched, mid.transformed, "killed: enriched rows and marked rows agree");
    const rerun = await sparkSubmit({ app: PREPARE_JOB, pyFiles: [HELPER], appArgs: args }, 300_000);
    assert.equal(rerun.code, 0, rerun.stderr.slice(-3000));
    assert.deepEqual(await state(), { enriched: 3000, distinct_ids: 3000, transformed: 3000, uploaded: 0 });
    const sample = (await pg.query(`SELECT country, city, device_type, os_family, browser_family FROM ${target} LIMIT 1`)).rows[0];
    assert.deepEqual(sample, { country: "United States", city: sample.city, device_type: "Laptop", os_family: "Windows", browser_family: "Chrome" });
    const stages = await pg.query("SELECT table_name FROM information_schema.tables WHERE table_name LIKE $1", [`${target}_stage_%`]);
    for (const r of stages.rows) await pg.query(`DROP TABLE ${r.table_name}`);
    await pg.query(`DROP TABLE ${target}; DROP TABLE ${source}`);
  });
});
