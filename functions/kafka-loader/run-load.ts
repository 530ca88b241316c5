// One load: drain the topic into the chosen sink, dead letters beside it. The Postgres sink keeps
// rows in a table; the blob sink writes one file per batch. Either way the dead letters of a
// batch are written before its rows, and the offsets are committed last.
import { kafkaClient } from "../hooks/kafka";
import { SOURCE_COLUMNS, type MicroBatch } from "./batch";
import { writeBatchFile, writeDeadLetters, type DeadLetterTarget } from "./blob-files";
import { drainTopic, type DrainResult } from "./drain-consumer";
import type { FileColumn, FileFormat } from "./file-formats";
import { PostgresSink } from "./postgres-sink";
import type { RecordSchema } from "./record-schema";

export type LoadSink =
  | { kind: "postgres"; connId: string; table: string }
  | { kind: "blob"; connId: string; container: string; prefix: string; format: FileFormat };

export interface LoadConfig {
  connId: string;
  topic: string;
  groupId: string;
  schema: RecordSchema;
  sink: LoadSink;
  deadLetter: DeadLetterTarget;
  maxBatchRecords: number;
  maxBatchBytes: number;
  maxBatchWaitMs: number;
  maxRecordBytes: number;
}

/** Injected failure points, for the tests that kill a load at each step. */
export interface LoadHooks {
  onStep?(step: "after_store" | "after_commit", batch: MicroBatch): void;
  onMidCopy?(batch: MicroBatch): void;
}

export interface LoadResult extends DrainResult {
  topic: string;
  sink: string;
}

function fileColumns(schema: RecordSchema): FileColumn[] {
  return [
    ...schema.columns.map((c) => ({ name: c.name, type: c.type })),
    { name: SOURCE_COLUMNS[0], type: "text" as const },
    { name: SOURCE_COLUMNS[1], type: "int" as const },
    { name: SOURCE_COLUMNS[2], type: "bigint" as const },
  ];
}

export async function runKafkaLoad(config: LoadConfig, io: { log(message: string): void; signal: AbortSignal }, hooks: LoadHooks = {}): Promise<LoadResult> {
  const sink = config.sink;
  const pg = sink.kind === "postgres"
    ? new PostgresSink({ connId: sink.connId, table: sink.table, columns: config.schema.columns.map((c) => c.name), onMidCopy: hooks.onMidCopy })
    : null;
  const columns = fileColumns(config.schema);
  const store = async (batch: MicroBatch): Promise<void> => {
    await writeDeadLetters(config.deadLetter, batch);
    if (pg) await pg.store(batch);
    else if (sink.kind === "blob") await writeBatchFile({ connId: sink.connId, container: sink.container, prefix: sink.prefix, format: sink.format, columns }, batch);
  };
  try {
    const result = await drainTopic(kafkaClient(config.connId), {
      topic: config.topic, groupId: config.groupId, schema: config.schema,
      maxBatchRecords: config.maxBatchRecords, maxBatchBytes: config.maxBatchBytes, maxBatchWaitMs: config.maxBatchWaitMs,
      maxRecordBytes: config.maxRecordBytes, signal: io.signal, log: io.log, store, onStep: hooks.onStep,
    });
    const where = sink.kind === "postgres" ? `table ${sink.table}` : `${sink.container}/${sink.prefix} as ${sink.format}`;
    io.log(`${config.topic}: ${result.loaded} record(s) in ${result.batches} batch(es) to ${where}; ${result.deadLettered} dead-lettered to ${config.deadLetter.container}/${config.deadLetter.prefix}.`);
    return { ...result, topic: config.topic, sink: sink.kind === "postgres" ? `postgres:${sink.table}` : `blob:${sink.container}/${sink.prefix}` };
  } finally {
    await pg?.close();
  }
}
