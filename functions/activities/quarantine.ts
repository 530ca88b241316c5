// Bad input is kept, not lost: a file that fails validation is copied (server-side) under
// `quarantine/` in its container with a `.reason.txt` beside it naming what is wrong and where.
// The original stays in place, so a retry meets the same error; a retry writes the same names.
import type { BlobClient, ContainerClient } from "@azure/storage-blob";

export const QUARANTINE_PREFIX = "quarantine/";

export async function quarantine(container: ContainerClient, source: BlobClient, reason: string): Promise<string> {
  const name = `${QUARANTINE_PREFIX}${source.name}`;
  const copy = await container.getBlobClient(name).beginCopyFromURL(source.url);
  await copy.pollUntilDone();
  const text = `${reason}\n`;
  await container.getBlockBlobClient(`${name}.reason.txt`).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: "text/plain" } });
  return `${container.containerName}/${name}`;
}
