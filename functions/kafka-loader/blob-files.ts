// Batch files in Blob Storage: the valid rows of a batch as one file, and its invalid messages
// as one dead-letter file (JSON lines: offset, reason, original bytes in base64). Both are named
// by the batch's topic, partition and first offset, so the batch read again after a crash
// overwrites its own files instead of adding copies. At most one batch per partition can be
// written and not yet committed, and the rerun starts exactly at it.
import { Readable } from "node:stream";
import type { ContainerClient } from "@azure/storage-blob";
import { blobService } from "../hooks/blob";
import type { MicroBatch } from "./batch";
import { contentType, encodeBatch, type FileColumn, type FileFormat } from "./file-formats";

export function batchBlobName(prefix: string, batch: MicroBatch, ext: string): string {
  const dir = prefix.replace(/\/+$/, "");
  return `${dir ? `${dir}/` : ""}batch_${batch.topic}_${batch.partition}_${batch.firstOffset}.${ext}`;
}

async function uploadChunks(container: ContainerClient, name: string, parts: Iterable<Buffer>, type: string, metadata: Record<string, string>): Promise<void> {
  const blob = container.getBlockBlobClient(name);
  await blob.uploadStream(Readable.from(parts), 4 * 1024 * 1024, 2, { blobHTTPHeaders: { blobContentType: type }, metadata });
}

const containers = new Map<string, Promise<ContainerClient>>();

/** A private container, created once per process. */
export function privateContainer(connId: string, name: string): Promise<ContainerClient> {
  const key = `${connId}/${name}`;
  let ready = containers.get(key);
  if (!ready) {
    const container = blobService(connId).getContainerClient(name);
    ready = container.createIfNotExists().then(() => container);
    ready.catch(() => containers.delete(key));
    containers.set(key, ready);
  }
  return ready;
}

function metadataOf(batch: MicroBatch): Record<string, string> {
  return { topic: batch.topic, partition: String(batch.partition), first_offset: batch.firstOffset, next_offset: batch.nextOffset };
}

export interface DeadLetterTarget {
  connId: string;
  container: string;
  prefix: string;
}

/** Writes the batch's dead letters, if any, to their own file. */
export async function writeDeadLetters(target: DeadLetterTarget, batch: MicroBatch): Promise<void> {
  if (!batch.deadLetters.length) return;
  const container = await privateContainer(target.connId, target.container);
  const lines = batch.deadLetters.map((d) => JSON.stringify({ topic: batch.topic, partition: batch.partition, ...d }) + "\n");
  await uploadChunks(container, batchBlobName(target.prefix, batch, "jsonl"), [Buffer.from(lines.join(""))], "application/x-ndjson", metadataOf(batch));
}

export interface BlobSinkOptions {
  connId: string;
  container: string;
  prefix: string;
  format: FileFormat;
  columns: readonly FileColumn[];
}

/** Writes the batch's valid rows as one file. */
export async function writeBatchFile(o: BlobSinkOptions, batch: MicroBatch): Promise<string | null> {
  if (!batch.rows.length) return null;
  const container = await privateContainer(o.connId, o.container);
  const name = batchBlobName(o.prefix, batch, o.format);
  await uploadChunks(container, name, encodeBatch(o.format, o.columns, batch.rows), contentType(o.format), metadataOf(batch));
  return name;
}
