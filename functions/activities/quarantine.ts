// Bad input is kept, not lost: a file that fails validation is copied (server-side) under
// `quarantine/` in its container with a `.reason.txt` beside it naming what is wrong and where.
// By default the original stays in place, so a retry meets the same error; a retry writes the
// same names. With `move`, the original is deleted once the copy and the reason are written (an
// inbox prefix that a daily run lists again must not keep failing on the same file); a retry then
// finds the recorded reason with quarantinedReason.
import { RestError, type BlobClient, type ContainerClient } from "@azure/storage-blob";

export const QUARANTINE_PREFIX = "quarantine/";

export async function quarantine(container: ContainerClient, source: BlobClient, reason: string, options: { move?: boolean } = {}): Promise<string> {
  const name = `${QUARANTINE_PREFIX}${source.name}`;
  const copy = await container.getBlobClient(name).beginCopyFromURL(source.url);
  const copied = await copy.pollUntilDone();
  if (copied.copyStatus !== undefined && copied.copyStatus !== "success") throw new Error(`Quarantine copy of ${source.name} ended ${copied.copyStatus}; the file was left in place.`);
  const text = `${reason}\n`;
  await container.getBlockBlobClient(`${name}.reason.txt`).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "text/plain" } });
  if (options.move) await source.deleteIfExists();
  return `${container.containerName}/${name}`;
}

/** The reason recorded when `blobName` was quarantined, or undefined if it never was. */
export async function quarantinedReason(container: ContainerClient, blobName: string): Promise<string | undefined> {
  try {
    const text = (await container.getBlobClient(`${QUARANTINE_PREFIX}${blobName}.reason.txt`).downloadToBuffer()).toString("utf8");
    return text.trim();
  } catch (err) {
    if (err instanceof RestError && err.statusCode === 404) return undefined;
    throw err;
  }
}
