// The Functions-native Kafka loader against the real local broker, Postgres and Azurite: a corpus
// of malformed messages ends in the dead-letter with one reason each and the counts reconcile;
// the blob sink's three formats; a loader process killed by SIGKILL after a batch was stored but
// before its offsets were committed, and in the middle of a COPY, loses and doubles nothing when
// run again; a broker that is down fails with a message naming it.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import type { ContainerClient } from "@azure/storage-blob";
import { tableFromIPC } from "apache-arrow";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { Client } from "pg";
import type * as ParquetWasm from "parquet-wasm/node/parquet_wasm";
import "../../../functions/callables/micro-batching-load-data";
import { userActivities } from "../../../functions/callables/micro-batching-generate-data";
import { blobService } from "../../../functions/hooks/blob";
import { closePostgresPools } from "../../../functions/hooks/postgres";
import { getRecordSchema } from "../../../functions/kafka-loader/record-schema";
import { runKafkaLoad, type LoadConfig } from "../../../functions/kafka-loader/run-load";
import { kafkaLoadOperator } from "../../../functions/activities/kafka-load";
import type { OperatorContext } from "../../../functions/activities/operator";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { kafkaBrokers, needService, pgConfig, settings, uniqueName } from "../../support/services";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const parquet = require("parquet-wasm/node") as typeof ParquetWasm;

const SCHEMA = getRecordSchema("micro_batching.user_activity")!;
const CONTAINER = uniqueName("mb-load-");
const CHILD = path.resolve(__dirname, "..", "..", "support", "kafka-load-child.js");
const DDL = fs.readFileSync(path.resolve(settings().projectRoot, "orchestrations/sql/micro_batching_prepare_env/create_logs_table.sql"), "utf8");

const GOOD = JSON.parse(JSON.stringify([...userActivities({ seed: 1, count: 1, until: "2024-06-01T00:00:00Z" })][0])) as Record<string, unknown>;
const enc = (v: unknown): Buffer => Buffer.from(JSON.stringify(v));
/** Each malformed message and the start of the reason it must be dead-lettered with. */
const CORPUS: { value: Buffer | null; reason: RegExp }[] = [
  { value: Buffer.from("this is not json"), reason: /^not JSON/ },
  { value: enc({ ...GOOD, age: "thirty" }), reason: /^field 'age' must be a whole number/ },
  { value: enc({ ...GOOD, age: 30.5 }), reason: /^field 'age' must be a whole number/ },
  { value: enc({ ...GOOD, age: -4 }), reason: /^field 'age' is -4, outside/ },
  { value: enc(Object.fromEntries(Object.entries(GOOD).filter(([k]) => k !== "activity_time"))), reason: /^missing field 'activity_time'/ },
  { value: enc({ ...GOOD, ip_address: "999.1.1.1" }), reason: /^field 'ip_address' is not an IPv4/ },
  { value: enc({ ...GOOD, log: "x".repeat(70_000) }), reason: /^oversized: \d+ bytes, limit 65536/ },
  { value: Buffer.from([0x00, 0xff, 0xfe, 0x81, 0x10, 0x80]), reason: /^not valid UTF-8/ },
  { value: Buffer.concat([enc(GOOD).subarray(0, 40), Buffer.from([0xe2, 0x82])]), reason: /^not valid UTF-8/ },
  { value: enc([GOOD]), reason: /^not a JSON object/ },
  { value: null, reason: /^empty message/ },
];

let kafka: Kafka;
let pg: Client;
let container: ContainerClient;

async function produce(topic: string, values: (Buffer | null)[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < values.length; i += 500) {
      await producer.send({ topic, acks: -1, messages: values.slice(i, i + 500).map((value) => ({ value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

function generated(count: number, seed: number): Buffer[] {
  return [...userActivities({ seed, count, until: "2024-06-01T00:00:00Z" })].map(enc);
}

async function newTable(): Promise<string> {
  const table = uniqueName("mb_logs_");
  await pg.query(DDL.replace("CREATE TABLE IF NOT EXISTS logs (", `CREATE TABLE ${table} (`));
  return table;
}

function config(topic: string, sink: LoadConfig["sink"], extra: Partial<LoadConfig> = {}): LoadConfig {
  return {
    connId: "kafka_default", topic, groupId: `test-${topic}`, schema: SCHEMA, sink,
    deadLetter: { connId: "wasb_default", container: CONTAINER, prefix: `dead_letter/${topic}` },
    maxBatchRecords: 50, maxBatchBytes: 8 * 1024 * 1024, maxBatchWaitMs: 2000, maxRecordBytes: 64 * 1024, ...extra,
  };
}

const io = { log: () => undefined, signal: new AbortController().signal };

async function blobNames(prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix })) names.push(b.name);
  return names.sort();
}

async function deadLetters(topic: string): Promise<{ offset: string; reason: string; value: string | null }[]> {
  const out: { offset: string; reason: string; value: string | null }[] = [];
  for (const name of await blobNames(`dead_letter/${topic}/`)) {
    const text = (await container.getBlobClient(name).downloadToBuffer()).toString("utf8");
    for (const line of text.split("\n").filter(Boolean)) out.push(JSON.parse(line));
  }
  return out;
}

async function tableCounts(table: string): Promise<{ rows: number; offsets: number }> {
  const r = await pg.query(`SELECT count(*)::int AS rows, count(DISTINCT (kafka_partition, kafka_offset))::int AS offsets FROM ${table}`);
  return r.rows[0] as { rows: number; offsets: number };
}

function runChild(cfg: LoadConfig, killAt: string, onBatch: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ ...cfg, schema: cfg.schema.name }), killAt, String(onBatch)], {
      stdio: ["ignore", "pipe", "pipe"], env: process.env,
    });
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe("Functions-native Kafka loader", { timeout: 300_000 }, () => {
  let ready = false;
  before(async (t) => {
    if (!(await needService(t as never, "kafka")) || !(await needService(t as never, "postgres")) || !(await needService(t as never, "azurite"))) return;
    applyLocalAppSettings(settings());
    kafka = new Kafka({ clientId: "kafka-load-test", brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    pg = new Client(pgConfig());
    await pg.connect();
    container = blobService("wasb_default").getContainerClient(CONTAINER);
    ready = true;
  });
  after(async () => {
    if (!ready) return;
    await container.deleteIfExists();
    await pg.end();
    await closePostgresPools();
  });

  it("dead-letters each malformed message with its reason and original bytes; produced = loaded + dead-lettered", async () => {
    const topic = uniqueName("mb-corpus-");
    const table = await newTable();
    const good = generated(120, 7);
    // The malformed ones spread among the good, across several batches.
    const values: (Buffer | null)[] = [...good];
    CORPUS.forEach((c, i) => values.splice(5 + i * 11, 0, c.value));
    await produce(topic, values);
    const result = await runKafkaLoad(config(topic, { kind: "postgres", connId: "postgres_default", table }), io);
    assert.equal(result.loaded, good.length);
    assert.equal(result.deadLettered, CORPUS.length);
    assert.ok(result.batches >= 3, `several batches, got ${result.batches}`);
    const counts = await tableCounts(table);
    const letters = await deadLetters(topic);
    assert.equal(counts.rows, good.length);
    assert.equal(counts.offsets, good.length);
    assert.equal(letters.length, CORPUS.length);
    assert.equal(counts.rows + letters.length, values.length, "produced = loaded + dead-lettered");
    const byOffset = new Map(letters.map((l) => [Number(l.offset), l]));
    values.forEach((v, offset) => {
      const corpus = CORPUS.find((c) => c.value === v);
      if (!corpus) return;
      const letter = byOffset.get(offset);
      assert.ok(letter, `offset ${offset} is in the dead-letter`);
      assert.match(letter.reason, corpus.reason);
      assert.deepEqual(letter.value === null ? null : Buffer.from(letter.value, "base64"), v, "the original bytes");
    });
    // The dirty ages are kept (null for null and ""), the values typed.
    const ages = await pg.query(`SELECT count(*) FILTER (WHERE age IS NULL)::int AS nulls, min(activity_time) AS first FROM ${table}`);
    const expectedNulls = good.filter((b) => { const a = JSON.parse(b.toString()).age; return a === null || a === ""; }).length;
    assert.equal(ages.rows[0].nulls, expectedNulls);
    // A second load finds nothing new.
    const again = await runKafkaLoad(config(topic, { kind: "postgres", connId: "postgres_default", table }), io);
    assert.equal(again.loaded + again.deadLettered, 0);
    assert.equal((await tableCounts(table)).rows, good.length);
  });

  for (const format of ["json", "csv", "parquet"] as const) {
    it(`writes one ${format} file per batch under input_<day>/, named by topic, partition and first offset`, async () => {
      const topic = uniqueName(`mb-${format}-`);
      const good = generated(25, 11);
      await produce(topic, [...good.slice(0, 12), Buffer.from("{broken"), ...good.slice(12)]);
      const prefix = `input_2024-06-01/${topic}`;
      const result = await runKafkaLoad(config(topic, { kind: "blob", connId: "wasb_default", container: CONTAINER, prefix, format }, { maxBatchRecords: 10 }), io);
      assert.equal(result.loaded, 25);
      assert.equal(result.deadLettered, 1);
      const names = await blobNames(`${prefix}/`);
      assert.deepEqual(names, [0, 10, 20].map((o) => `${prefix}/batch_${topic}_0_${o}.${format}`));
      let rows = 0;
      for (const name of names) {
        const bytes = await container.getBlobClient(name).downloadToBuffer();
        if (format === "json") {
          const lines = bytes.toString().trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
          assert.ok(lines.every((l) => typeof l.username === "string" && typeof l.kafka_offset === "number"));
          rows += lines.length;
        } else if (format === "csv") {
          const lines = bytes.toString().trim().split("\n");
          assert.equal(lines[0], [...SCHEMA.columns.map((c) => c.name), "kafka_topic", "kafka_partition", "kafka_offset"].join("|"));
          rows += lines.length - 1;
        } else {
          const table = tableFromIPC(parquet.readParquet(new Uint8Array(bytes)).intoIPCStream());
          assert.deepEqual(table.schema.fields.map((f) => f.name).slice(0, 2), ["username", "age"]);
          assert.equal(String(table.getChild("activity_time")!.get(0)).length, 19);
          rows += table.numRows;
        }
      }
      assert.equal(rows, 25);
      // Loaded again from the start (a new group): the same names, overwritten, not added to.
      await runKafkaLoad(config(topic, { kind: "blob", connId: "wasb_default", container: CONTAINER, prefix, format }, { maxBatchRecords: 10, groupId: `again-${topic}` }), io);
      assert.deepEqual(await blobNames(`${prefix}/`), names);
    });
  }

  for (const step of ["after_store", "mid_copy"] as const) {
    it(`a loader killed ${step === "after_store" ? "after a batch was stored, before its offsets were committed" : "in the middle of a COPY"} loses and doubles nothing when run again`, async () => {
      const topic = uniqueName(`mb-kill-${step.replace("_", "-")}-`);
      const table = await newTable();
      const total = 5000;
      await produce(topic, generated(total, 23));
      // Batches big enough that a COPY is sent in several chunks.
      const cfg = config(topic, { kind: "postgres", connId: "postgres_default", table }, { maxBatchRecords: 2000 });
      const killed = await runChild(cfg, step, 2);
      assert.equal(killed.signal, "SIGKILL", `the loader died by SIGKILL (${killed.stderr})`);
      const afterKill = await tableCounts(table);
      // The first batch is committed; the second is stored (after_store) or rolled back (mid_copy).
      assert.equal(afterKill.rows, step === "after_store" ? 4000 : 2000);
      const rerun = await runChild(cfg, "none", 0);
      assert.equal(rerun.code, 0, rerun.stderr);
      const final = await tableCounts(table);
      assert.equal(final.rows, total, "nothing lost");
      assert.equal(final.offsets, total, "nothing doubled");
      const span = await pg.query(`SELECT min(kafka_offset)::int AS lo, max(kafka_offset)::int AS hi FROM ${table}`);
      assert.deepEqual(span.rows[0], { lo: 0, hi: total - 1 });
    });
  }

  it("a broker that is down fails the load with a message naming the broker", async () => {
    process.env.AIRFLOW_CONN_KAFKA_DOWN = JSON.stringify({ conn_type: "kafka", extra: { "bootstrap.servers": "127.0.0.1:1" } });
    const parsed = kafkaLoadOperator.parse({
      conn_id: "kafka_down", topic: "micro_batching_logs", schema: SCHEMA.name, table: "logs", dead_letter_container: CONTAINER,
    }, "test");
    const ctx = { log: () => undefined, signal: new AbortController().signal } as unknown as OperatorContext;
    await assert.rejects(kafkaLoadOperator.execute(parsed, ctx), (err: Error) => {
      assert.match(err.message, /Kafka load of topic 'micro_batching_logs' failed: the broker is unreachable/);
      assert.match(err.message, /127\.0\.0\.1:1|ECONNREFUSED/);
      return true;
    });
  });
});
