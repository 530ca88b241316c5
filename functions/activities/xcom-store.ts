// XComs over a size bound live in the app's state container and travel through the orchestration
// as small references: orchestration history (and its replay cost) stays small whatever a task returns.
import { appBlobService } from "../hooks/app-storage";
import { appConfig } from "../config";

export interface XComBlobRef {
  $xcomBlob: { container: string; blob: string; bytes: number; length: number | null };
}

export function isXComBlobRef(value: unknown): value is XComBlobRef {
  return !!value && typeof value === "object" && !Array.isArray(value) && "$xcomBlob" in (value as object);
}

function blobName(dagId: string, runId: string, taskId: string, mapIndex: number): string {
  const safe = (s: string): string => encodeURIComponent(s);
  return `xcom/${safe(dagId)}/${safe(runId)}/${safe(taskId)}/${mapIndex < 0 ? "result" : `map-${mapIndex}`}.json`;
}

/** Returns the value itself when small, else stores it and returns a reference. */
export async function storeXCom(
  value: unknown,
  where: { dagId: string; runId: string; taskId: string; mapIndex: number },
): Promise<unknown> {
  // Same name per (run, task, map index): a retried attempt overwrites, never accumulates.
  return storeLargeValue(value, blobName(where.dagId, where.runId, where.taskId, where.mapIndex));
}

/**
 * Any JSON value (an XCom, a run's conf): itself when its JSON fits AZFLOW_XCOM_INLINE_MAX_BYTES,
 * else stored under `blob` in the state container and returned as a reference.
 */
export async function storeLargeValue(value: unknown, blob: string): Promise<unknown> {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  if (text === undefined) return null;
  const { xcomInlineMaxBytes, stateContainer } = appConfig();
  const bytes = Buffer.byteLength(text);
  if (bytes <= xcomInlineMaxBytes) return value;
  const container = appBlobService().getContainerClient(stateContainer);
  await container.createIfNotExists();
  await container.getBlockBlobClient(blob).upload(text, bytes, { blobHTTPHeaders: { blobContentType: "application/json" } });
  return { $xcomBlob: { container: stateContainer, blob, bytes, length: Array.isArray(value) ? value.length : null } } satisfies XComBlobRef;
}

/** Deletes what a reference points to (nothing for an inline value); a missing blob is fine. */
export async function deleteStoredValue(value: unknown): Promise<void> {
  if (!isXComBlobRef(value)) return;
  const { container, blob } = value.$xcomBlob;
  await appBlobService().getContainerClient(container).deleteBlob(blob, { deleteSnapshots: "include" }).catch((err: { statusCode?: number }) => {
    if (err.statusCode !== 404) throw err;
  });
}

/** Resolves a reference to its value; anything else is returned as it is. */
export async function loadXCom(value: unknown): Promise<unknown> {
  if (!isXComBlobRef(value)) return value;
  const { container, blob } = value.$xcomBlob;
  const buffer = await appBlobService().getContainerClient(container).getBlobClient(blob).downloadToBuffer();
  return JSON.parse(buffer.toString("utf8"));
}
