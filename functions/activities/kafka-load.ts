// The Functions-native Kafka loader: drains a topic in micro-batches into Postgres (COPY through
// a staging table, idempotent on topic/partition/offset) or into batch files in Blob Storage
// (JSON lines, pipe-delimited CSV or Parquet), invalid messages to a dead-letter file with the
// reason and the original bytes, offsets committed after each stored batch.
import { quoteIdentifier } from "../hooks/sql-identifier";
import { FILE_FORMATS } from "../kafka-loader/file-formats";
import { getRecordSchema, registeredRecordSchemas } from "../kafka-loader/record-schema";
import { runKafkaLoad, type LoadConfig } from "../kafka-loader/run-load";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";
import { sparkSubmitOperator, type SparkSubmitConfig } from "./spark-submit";

const CONTAINER = /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/;
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

function container(c: ConfigReader, key: string, where: string): string {
  const name = c.string(key);
  if (!CONTAINER.test(name)) throw new ConfigError(`${where}: '${name}' is not a valid container name.`);
  return name;
}

export type KafkaLoadConfig = { loader: "functions"; load: LoadConfig } | { loader: "spark"; submit: SparkSubmitConfig; topic: string };

/** Numbers may come from templates ({{ params.x }}) as text. */
function numeric(config: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out = { ...config };
  for (const k of keys) if (typeof out[k] === "string" && /^\d+$/.test((out[k] as string).trim())) out[k] = Number(out[k]);
  return out;
}

export const kafkaLoadOperator: OperatorDefinition<KafkaLoadConfig> = {
  name: "kafka_load",
  templateFields: [
    "topic", "group_id", "loader", "sink", "table", "container", "prefix", "format", "dead_letter_container", "dead_letter_prefix",
    "max_batch_records", "output_path", "checkpoint_location",
  ],
  parse(raw, where) {
    const config = numeric(raw as Record<string, unknown>, ["max_batch_records", "max_batch_bytes", "max_batch_wait_ms", "max_record_bytes"]);
    const c = new ConfigReader(config, where).only([
      "conn_id", "topic", "group_id", "schema", "loader", "sink", "postgres_conn_id", "table", "blob_conn_id", "container", "prefix", "format",
      "dead_letter_container", "dead_letter_prefix", "max_batch_records", "max_batch_bytes", "max_batch_wait_ms", "max_record_bytes",
      "spark", "output_path", "checkpoint_location",
    ]);
    const load = parseLoad(c, where);
    if (c.oneOf("loader", ["functions", "spark"] as const, "functions") === "functions") return { loader: "functions", load };
    return { loader: "spark", topic: load.topic, submit: sparkLoadJob(c, load, where) };
  },
  async execute(config, ctx) {
    if (config.loader === "spark") return sparkSubmitOperator.execute(config.submit, ctx);
    try {
      return await runKafkaLoad(config.load, { log: ctx.log, signal: ctx.signal });
    } catch (err) {
      throw explainKafkaError(err, config.load.topic);
    }
  },
};

/**
 * The same load as a PySpark job (jobs/micro_batching_load_data/load_job.py style): the DAG gives
 * the job's sparkSubmit config under `spark`; the load's own settings become its arguments.
 */
function sparkLoadJob(c: ConfigReader, load: LoadConfig, where: string): SparkSubmitConfig {
  const spark = c.raw("spark");
  if (!spark || typeof spark !== "object") throw new ConfigError(`${where}: loader 'spark' needs 'spark', the job's sparkSubmit config.`);
  const sink = load.sink;
  const args = [
    "--topic", load.topic, "--kafka-conn-id", load.connId, "--max-offsets-per-trigger", String(load.maxBatchRecords),
    "--checkpoint", c.string("checkpoint_location"), "--dead-letter-path", `${c.string("output_path")}/${load.deadLetter.prefix}`,
    ...(sink.kind === "postgres"
      ? ["--sink", "postgres", "--postgres-conn-id", sink.connId, "--table", sink.table]
      : ["--sink", "files", "--output-path", `${c.string("output_path")}/${sink.prefix}`, "--format", sink.format]),
  ];
  const base = spark as Record<string, unknown>;
  return sparkSubmitOperator.parse({ ...base, application_args: [...((base.application_args as string[]) ?? []), ...args] }, where);
}

function parseLoad(c: ConfigReader, where: string): LoadConfig {
  const topic = c.string("topic");
  if (!TOPIC.test(topic)) throw new ConfigError(`${where}: '${topic}' is not a valid topic name.`);
  const schemaName = c.string("schema");
  const schema = getRecordSchema(schemaName);
  if (!schema) throw new ConfigError(`${where}: record schema '${schemaName}' is not registered (known: ${registeredRecordSchemas().join(", ") || "none"}).`);
  const sinkKind = c.oneOf("sink", ["postgres", "blob"] as const, "postgres");
  const blobConnId = c.string("blob_conn_id", "wasb_default");
  let sink: LoadConfig["sink"];
  if (sinkKind === "postgres") {
    const table = c.string("table");
    quoteIdentifier(table, `${where}: table`);
    sink = { kind: "postgres", connId: c.string("postgres_conn_id", "postgres_default"), table };
  } else {
    sink = { kind: "blob", connId: blobConnId, container: container(c, "container", where), prefix: c.string("prefix", ""), format: c.oneOf("format", FILE_FORMATS, "json") };
  }
  return {
    connId: c.string("conn_id", "kafka_default"),
    topic,
    groupId: c.string("group_id", `azflow-loader-${topic}`),
    schema,
    sink,
    deadLetter: { connId: blobConnId, container: container(c, "dead_letter_container", where), prefix: c.string("dead_letter_prefix", "dead_letter") },
    maxBatchRecords: c.number("max_batch_records", 10_000, 1, 1_000_000),
    maxBatchBytes: c.number("max_batch_bytes", 8 * 1024 * 1024, 1024, 256 * 1024 * 1024),
    maxBatchWaitMs: c.number("max_batch_wait_ms", 2000, 0, 600_000),
    maxRecordBytes: c.number("max_record_bytes", 64 * 1024, 16, 16 * 1024 * 1024),
  };
}

/** kafkajs names a broker problem in its own terms; say which broker and what to check. */
export function explainKafkaError(err: unknown, topic: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const kafkaError = /^KafkaJS/.test(e.name) || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|broker/i.test(e.message);
  if (!kafkaError) return e;
  const out = new Error(`Kafka load of topic '${topic}' failed: the broker is unreachable or refused the request (${e.name}: ${e.message}). Check that the broker in the Kafka connection is up.`);
  out.name = "KafkaBrokerError";
  return out;
}
