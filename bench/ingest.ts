// Benchmark: N generated micro-batching messages (default 1,000,000) through the Functions-native
// Kafka loader into Postgres (COPY into a staging table, INSERT ... ON CONFLICT into `logs`'s
// twin), with its peak resident memory; in the same run and on the same rows: a raw COPY from a
// local file into the same table (the ceiling), Kafka's own consumer perf tool on the same topic
// (the broker's ceiling), the seed's method (INSERTs of 100 rows each, its JDBC batchSize), and
// the PySpark loader. Needs the local services (`azflow services up`).
// Usage: npm run bench -- ingest [--messages N]. The last line is one JSON object.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { pipeline } from "node:stream/promises";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import { Client } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { userActivities } from "../functions/callables/micro-batching-generate-data";
import { applyLocalAppSettings } from "../tools/services/app-env";
import { kafkaBrokers } from "../tools/services/kafka";
import { ensureMavenJars } from "../tools/services/maven-jars";
import { pgClientConfig } from "../tools/services/postgres";
import { serviceSettings } from "../tools/services/settings";
import { runSparkSubmit } from "../tools/services/spark";
import { positiveIntArg, runJsonChild } from "./bench-process";

const s = serviceSettings();
const COLUMNS = ["username", "age", "gender", "ad_position", "browsing_history", "activity_time", "ip_address", "log", "redirect_from", "redirect_to", "kafka_topic", "kafka_partition", "kafka_offset"];
const SEED_BATCH = 100;
const SEED_METHOD_MAX_ROWS = 200_000;

function seconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const round = (v: number, d = 0): number => Number(v.toFixed(d));

function* messages(n: number): Generator<Record<string, unknown>> {
  yield* userActivities({ seed: "bench-ingest", count: n, until: "2024-12-31T00:00:00Z" }) as Generator<Record<string, unknown>>;
}

async function produce(topic: string, n: number): Promise<number> {
  const kafka = new Kafka({ clientId: "bench-ingest", brokers: kafkaBrokers(s), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const started = process.hrtime.bigint();
  let batch: { value: string }[] = [];
  for (const m of messages(n)) {
    batch.push({ value: JSON.stringify(m) });
    // One record batch per send: under the broker's 1 MB message.max.bytes.
    if (batch.length === 2000) {
      await producer.send({ topic, acks: -1, messages: batch });
      batch = [];
    }
  }
  if (batch.length) await producer.send({ topic, acks: -1, messages: batch });
  await producer.disconnect();
  return seconds(started);
}

async function freshTable(pg: Client, name: string): Promise<void> {
  const ddl = fs.readFileSync(path.join(s.projectRoot, "orchestrations/sql/micro_batching_prepare_env/create_logs_table.sql"), "utf8");
  await pg.query(`DROP TABLE IF EXISTS ${name}`);
  await pg.query(ddl.replace("CREATE TABLE IF NOT EXISTS logs (", `CREATE TABLE ${name} (`));
}

function copyText(v: unknown): string {
  if (v === null || v === undefined || v === "") return "\\N";
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

/** The rows the loader writes, as a COPY text file on local disk. */
function writeRowsFile(file: string, topic: string, n: number): void {
  const fd = fs.openSync(file, "w");
  let chunk = "";
  let offset = 0;
  for (const m of messages(n)) {
    chunk += [...COLUMNS.slice(0, 10).map((c) => copyText(m[c])), topic, "0", String(offset++)].join("\t") + "\n";
    if (chunk.length > 1 << 20) {
      fs.writeSync(fd, chunk);
      chunk = "";
    }
  }
  fs.writeSync(fd, chunk);
  fs.closeSync(fd);
}

async function rawCopy(pg: Client, table: string, file: string): Promise<number> {
  const started = process.hrtime.bigint();
  await pipeline(fs.createReadStream(file, { highWaterMark: 1 << 20 }), pg.query(copyFrom(`COPY ${table} (${COLUMNS.join(", ")}) FROM STDIN`)));
  return seconds(started);
}

/**
 * The seed's load: Spark's JDBC writer with batchSize 100, i.e. single-row INSERTs sent 100 at a
 * time (pgjdbc sends a batch in one round trip; the server runs 100 statements), committed at the
 * end. node-postgres has no pipelining, so each batch goes as one simple query of 100 INSERT
 * statements with escaped literals: one round trip and 100 statements, as JDBC's batch does.
 */
async function seedMethod(pg: Client, table: string, topic: string, n: number): Promise<number> {
  const started = process.hrtime.bigint();
  const literal = (v: unknown): string => (v === null || v === undefined || v === "" ? "NULL" : typeof v === "number" ? String(v) : pg.escapeLiteral(String(v)));
  let statements: string[] = [];
  let offset = 0;
  await pg.query("BEGIN");
  for (const m of messages(n)) {
    const values = [...COLUMNS.slice(0, 10).map((c) => literal(m[c])), literal(topic), "0", String(offset++)];
    statements.push(`INSERT INTO ${table} (${COLUMNS.join(", ")}) VALUES (${values.join(", ")})`);
    if (statements.length === SEED_BATCH) {
      await pg.query(statements.join(";\n"));
      statements = [];
    }
  }
  if (statements.length) await pg.query(statements.join(";\n"));
  await pg.query("COMMIT");
  return seconds(started);
}

function kafkaPerf(topic: string, n: number, toolsDir: string): { msgsPerS: number; seconds: number } {
  const cp = `${path.join(s.kafka.jarsDir, "*")}${path.delimiter}${path.join(toolsDir, "*")}`;
  const r = spawnSync("java", ["-Xmx512m", "-cp", cp, "org.apache.kafka.tools.ConsumerPerformance", "--bootstrap-server", kafkaBrokers(s)[0],
    "--topic", topic, "--messages", String(n), "--timeout", "60000", "--group", `bench-perf-${Date.now()}`], { encoding: "utf8", maxBuffer: 1 << 24 });
  const line = r.stdout.trim().split("\n").pop() ?? "";
  const cells = line.split(",").map((c) => c.trim());
  if (r.status !== 0 || cells.length < 6) throw new Error(`kafka-consumer-perf-test failed: ${r.stderr.slice(-500)}`);
  // Columns: start.time, end.time, MB, MB.sec, nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  return { msgsPerS: Number(cells[9] ?? cells[5]), seconds: Number(cells[7]) / 1000 };
}

function loaderProcess(config: unknown): Promise<{ seconds: number; loaded: number; peakRssMb: number; batches: number }> {
  return runJsonChild(path.join(__dirname, "apps", "ingest-loader.js"), [JSON.stringify(config)], "loader");
}

async function main(): Promise<void> {
  const n = positiveIntArg("messages", 1_000_000);
  applyLocalAppSettings(s);
  const stamp = Date.now().toString(36);
  const topic = `bench-ingest-${stamp}`;
  const tables = { loader: `bench_loader_${stamp}`, copy: `bench_copy_${stamp}`, seed: `bench_seed_${stamp}`, spark: `bench_spark_${stamp}` };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-bench-ingest-"));
  const pg = new Client(pgClientConfig(s));
  await pg.connect();
  console.log(`ingest benchmark: ${n} messages; node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
  try {
    const toolsDir = path.join(s.cacheDir, "kafka-tools-jars");
    await ensureMavenJars("Kafka tools", path.join(s.projectRoot, "bench", "kafka-tools.pom.xml"), toolsDir, path.join(s.logDir, "mvn-kafka-tools.log"));
    const producedS = await produce(topic, n);
    console.log(`produced                  ${n} messages in ${producedS.toFixed(1)} s (${round(n / producedS)} msg/s)`);

    const perf = kafkaPerf(topic, n, toolsDir);
    console.log(`kafka-consumer-perf-test  ${round(perf.msgsPerS)} msg/s (fetch time ${perf.seconds.toFixed(1)} s): the broker's ceiling`);

    await freshTable(pg, tables.loader);
    const loader = await loaderProcess({
      connId: "kafka_default", topic, groupId: `bench-loader-${stamp}`, schema: "micro_batching.user_activity",
      sink: { kind: "postgres", connId: "postgres_default", table: tables.loader },
      deadLetter: { connId: "wasb_default", container: "bench-dead-letter", prefix: topic },
      maxBatchRecords: 10_000, maxBatchBytes: 8 * 1024 * 1024, maxBatchWaitMs: 2000, maxRecordBytes: 64 * 1024,
    });
    const loaderRate = loader.loaded / loader.seconds;
    console.log(`functions loader          ${round(loaderRate)} msg/s (${loader.loaded} rows in ${loader.seconds.toFixed(1)} s, ${loader.batches} batches), peak RSS ${loader.peakRssMb.toFixed(0)} MB`);
    if (loader.loaded !== n) throw new Error(`the loader stored ${loader.loaded} of ${n} rows`);

    const file = path.join(work, "rows.tsv");
    writeRowsFile(file, topic, n);
    await freshTable(pg, tables.copy);
    const copyS = await rawCopy(pg, tables.copy, file);
    const copyRate = n / copyS;
    console.log(`raw COPY from a file      ${round(copyRate)} msg/s (${(fs.statSync(file).size / 1e6).toFixed(0)} MB in ${copyS.toFixed(1)} s): the ceiling`);

    const seedRows = Math.min(n, SEED_METHOD_MAX_ROWS);
    await freshTable(pg, tables.seed);
    const seedS = await seedMethod(pg, tables.seed, topic, seedRows);
    const seedRate = seedRows / seedS;
    console.log(`seed's INSERTs, 100/trip ${round(seedRate)} msg/s (${seedRows} rows in ${seedS.toFixed(1)} s)`);

    await freshTable(pg, tables.spark);
    const sparkStarted = process.hrtime.bigint();
    const spark = await runSparkSubmit(s, {
      app: path.join(s.projectRoot, "jobs/micro_batching_load_data/load_job.py"), pyFiles: [path.join(s.projectRoot, "jobs/common/azflow_job.py")],
      driverMemory: "1g",
      appArgs: ["--topic", topic, "--sink", "postgres", "--table", tables.spark, "--checkpoint", path.join(work, "checkpoint"),
        "--dead-letter-path", path.join(work, "dead"), "--max-offsets-per-trigger", "250000"],
    }, 3_600_000);
    const sparkS = seconds(sparkStarted);
    if (spark.code !== 0) throw new Error(`the Spark loader failed: ${spark.stderr.slice(-1500)}`);
    const sparkRows = Number((await pg.query(`SELECT count(*) AS n FROM ${tables.spark}`)).rows[0].n);
    const sparkRate = sparkRows / sparkS;
    console.log(`spark loader              ${round(sparkRate)} msg/s (${sparkRows} rows in ${sparkS.toFixed(1)} s, spark-submit start-up included)`);

    const copyRatio = loaderRate / copyRate;
    const speedup = loaderRate / seedRate;
    console.log(`for scale                 raw COPY itself is ${(copyRate / seedRate).toFixed(1)}x the seed's method on this table`);
    console.log(`targets                   copy_ratio ${copyRatio.toFixed(2)} (>= 0.5 ${copyRatio >= 0.5 ? "ok" : "MISSED"}), insert_speedup ${speedup.toFixed(1)} (>= 5 ${speedup >= 5 ? "ok" : "MISSED"}), peak RSS ${loader.peakRssMb.toFixed(0)} MB (< 300 ${loader.peakRssMb < 300 ? "ok" : "MISSED"})`);
    console.log(JSON.stringify({
      messages: n, loader_msgs_per_s: round(loaderRate), copy_msgs_per_s: round(copyRate), copy_ratio: round(copyRatio, 2),
      insert_msgs_per_s: round(seedRate), insert_speedup: round(speedup, 1), copy_insert_ratio: round(copyRate / seedRate, 1), peak_rss_mb: round(loader.peakRssMb),
      kafka_perf_msgs_per_s: round(perf.msgsPerS), spark_msgs_per_s: round(sparkRate),
    }));
  } finally {
    for (const t of Object.values(tables)) await pg.query(`DROP TABLE IF EXISTS ${t}`).catch(() => undefined);
    await pg.query(`DROP TABLE IF EXISTS ${tables.spark}_spark_stage`).catch(() => undefined);
    await pg.end();
    fs.rmSync(work, { recursive: true, force: true });
    const kafka = new Kafka({ clientId: "bench-ingest", brokers: kafkaBrokers(s), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect().then(() => admin.deleteTopics({ topics: [topic] })).catch(() => undefined).finally(() => admin.disconnect());
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
