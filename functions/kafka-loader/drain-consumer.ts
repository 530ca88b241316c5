// Reads a topic from the group's committed offsets up to the end offsets it had when the load
// started (so a run ends however fast producers write), cut into micro-batches per partition
// bounded by record count, bytes and time. A batch's offsets are committed only after the sink
// has stored it: a crash before the commit means the batch is read again, and the sinks are
// idempotent on (topic, partition, offset), so nothing is lost and nothing doubles.
import type { Kafka, KafkaMessage } from "kafkajs";
import type { MicroBatch } from "./batch";
import { checkRecord, type RecordSchema } from "./record-schema";

export interface DrainOptions {
  topic: string;
  groupId: string;
  schema: RecordSchema;
  maxBatchRecords: number;
  maxBatchBytes: number;
  /** A partly filled batch older than this is written without waiting for more messages. */
  maxBatchWaitMs: number;
  maxRecordBytes: number;
  signal: AbortSignal;
  log(message: string): void;
  /** Stores a batch; the offsets are committed after it resolves. */
  store(batch: MicroBatch): Promise<void>;
  /** Test hook: called with the step just reached (after_store, after_commit). */
  onStep?(step: "after_store" | "after_commit", batch: MicroBatch): void;
}

export interface DrainResult {
  partitions: number;
  batches: number;
  loaded: number;
  deadLettered: number;
  /** Offsets committed, per partition, when the load ended. */
  committed: Record<string, string>;
}

// Offsets are int64 on the wire; Numbers hold them exactly up to 2^53, far past any real topic,
// and cost less than a BigInt per message.
interface PartitionState {
  end: number;
  /** The next offset to read (committed offset, then past each message seen). */
  position: number;
  batch: MicroBatch | null;
  startedMs: number;
  done: boolean;
}

/** Offsets at which each partition starts (committed, else the log start) and ends (its high watermark now). */
async function offsetRange(kafka: Kafka, topic: string, groupId: string): Promise<Map<number, { start: number; end: number }>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    const out = new Map<number, { start: number; end: number }>();
    for (const p of ends) {
      const low = Number(p.low);
      const start = done.get(p.partition) ?? -1;
      out.set(p.partition, { start: start < low ? low : start, end: Number(p.high) });
    }
    return out;
  } finally {
    await admin.disconnect();
  }
}

export async function drainTopic(kafka: Kafka, o: DrainOptions): Promise<DrainResult> {
  const ranges = await offsetRange(kafka, o.topic, o.groupId);
  const result: DrainResult = { partitions: ranges.size, batches: 0, loaded: 0, deadLettered: 0, committed: {} };
  const states = new Map<number, PartitionState>();
  for (const [partition, r] of ranges) {
    states.set(partition, { end: r.end, position: r.start, batch: null, startedMs: 0, done: r.start >= r.end });
    result.committed[partition] = String(r.start);
  }
  const open = [...states.values()].filter((s) => !s.done);
  if (!open.length) {
    o.log(`${o.topic}: nothing new (group ${o.groupId} is at the end of every partition).`);
    return result;
  }
  o.log(`${o.topic}: draining ${[...states].filter(([, s]) => !s.done).map(([p, s]) => `p${p} ${s.position}..${s.end}`).join(", ")} in group ${o.groupId}.`);

  // Fetches of up to 4 MB: large enough for kafkajs's throughput, small enough to keep memory flat.
  const consumer = kafka.consumer({
    groupId: o.groupId, maxBytesPerPartition: 4 << 20, maxBytes: 8 << 20, maxWaitTimeInMs: 500, sessionTimeout: 10_000, heartbeatInterval: 1000,
  });
  // One store in flight while the next batch fills: Kafka reads overlap sink writes, and the
  // commits still happen in offset order because each store waits for the previous one.
  let inFlight: Promise<void> = Promise.resolve();
  let finish!: () => void;
  let fail!: (err: Error) => void;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });

  const flush = async (partition: number, s: PartitionState): Promise<void> => {
    const batch = s.batch;
    s.batch = null;
    if (!batch) return;
    batch.nextOffset = String(s.position);
    // Wait for the store in flight before handing over the next: at most two batches in memory
    // (one being stored, one filling), whatever the sink's speed.
    await inFlight;
    inFlight = (async () => {
      await o.store(batch);
      o.onStep?.("after_store", batch);
      await consumer.commitOffsets([{ topic: o.topic, partition, offset: batch.nextOffset }]);
      result.committed[partition] = batch.nextOffset;
      result.batches += 1;
      result.loaded += batch.rows.length;
      result.deadLettered += batch.deadLetters.length;
      o.onStep?.("after_commit", batch);
    })();
    // A failed store stops the load (the next flush also sees the rejection when it waits).
    inFlight.catch((err: Error) => fail(err));
  };

  const add = (partition: number, s: PartitionState, message: KafkaMessage): void => {
    if (!s.batch) {
      s.batch = { topic: o.topic, partition, firstOffset: message.offset, nextOffset: message.offset, rows: [], deadLetters: [], bytes: 0 };
      s.startedMs = Date.now();
    }
    const batch = s.batch;
    const size = message.value?.length ?? 0;
    const checked = checkRecord(o.schema, message.value, o.maxRecordBytes);
    if (checked.ok) {
      checked.values.push(o.topic, partition, Number(message.offset));
      batch.rows.push(checked.values);
    } else {
      batch.deadLetters.push({
        offset: message.offset, reason: checked.reason, value: message.value ? message.value.toString("base64") : null,
        key: message.key ? message.key.toString("base64") : null, timestamp: message.timestamp,
      });
    }
    batch.bytes += size;
  };

  await consumer.connect();
  try {
    consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
    await consumer.subscribe({ topic: o.topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, pause }) => {
        const s = states.get(batch.partition);
        if (!s || s.done) return;
        for (const message of batch.messages) {
          const offset = Number(message.offset);
          if (offset < s.position || offset >= s.end) continue;
          add(batch.partition, s, message);
          s.position = offset + 1;
          const b = s.batch!;
          if (b.rows.length + b.deadLetters.length >= o.maxBatchRecords || b.bytes >= o.maxBatchBytes) await flush(batch.partition, s);
        }
        // Offsets without a message (transaction markers) still count as read.
        const last = Number(batch.lastOffset()) + 1;
        if (last > s.position) s.position = last < s.end ? last : s.end;
        if (s.position >= s.end) {
          s.done = true;
          pause();
        }
        if (s.batch && (s.done || Date.now() - s.startedMs >= o.maxBatchWaitMs)) await flush(batch.partition, s);
        else if (s.done && !s.batch && result.committed[batch.partition] !== String(s.position)) {
          // Only markers after the last batch: move the committed offset to the end too.
          s.batch = { topic: o.topic, partition: batch.partition, firstOffset: String(s.position), nextOffset: String(s.position), rows: [], deadLetters: [], bytes: 0 };
          await flush(batch.partition, s);
        }
        await heartbeat();
        if (o.signal.aborted) fail(new Error("The load was cut off by its execution timeout; committed batches are kept."));
        if ([...states.values()].every((x) => x.done)) inFlight.then(finish, () => undefined);
      },
    });
    await finished;
    await inFlight;
  } finally {
    await inFlight.catch(() => undefined);
    await consumer.disconnect();
  }
  return result;
}
