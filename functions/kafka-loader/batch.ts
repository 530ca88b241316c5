import type { CellValue } from "./record-schema";

// One micro-batch: consecutive messages of one partition, checked, ready for a sink.

export interface DeadLetter {
  offset: string;
  reason: string;
  /** The message's original bytes, base64. */
  value: string | null;
  key: string | null;
  timestamp: string;
}

export interface MicroBatch {
  topic: string;
  partition: number;
  /** The batch is named by its first offset, so a rerun of the same batch overwrites its files. */
  firstOffset: string;
  /** The offset to commit once the batch is stored: the next one to read. */
  nextOffset: string;
  /** Valid rows: schema values then topic, partition and offset. */
  rows: CellValue[][];
  deadLetters: DeadLetter[];
  bytes: number;
}

/** Columns every sink stores after the schema's: where the row came from, its idempotency key. */
export const SOURCE_COLUMNS = ["kafka_topic", "kafka_partition", "kafka_offset"] as const;
