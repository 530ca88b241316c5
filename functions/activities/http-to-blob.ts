// HTTP download straight into Blob Storage: the response body streams into a block blob in 4 MiB
// blocks, so a file of any size passes through with flat memory and never touches local disk.
// The blob is committed only when the whole body arrived; a failed download leaves no blob behind.
// Each run writes its own blob name (the DAG templates it), never a shared output file.
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { blobService } from "../hooks/blob";
import { endpointUrl, httpTarget } from "../hooks/http";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";

export interface HttpToBlobConfig {
  connId: string;
  endpoint: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  blobConnId: string;
  container: string;
  blob: string;
}

/** Blob metadata key holding the URL a blob was downloaded from (no query string), for error messages downstream. */
export const SOURCE_METADATA = "source";

export function sourceUrl(url: string): string {
  return url.replace(/\?.*$/, "");
}

export const httpToBlobOperator: OperatorDefinition<HttpToBlobConfig> = {
  name: "http_to_blob",
  templateFields: ["endpoint", "data", "headers", "container", "blob"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "endpoint", "data", "headers", "blob_conn_id", "container", "blob"]);
    const data = c.raw("data") ?? {};
    if (typeof data !== "object" || Array.isArray(data)) throw new ConfigError(`${where}: 'data' (query parameters) must be an object.`);
    return {
      connId: c.string("conn_id", "http_default"),
      endpoint: c.has("endpoint") ? String(c.raw("endpoint")) : "",
      query: Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([k, v]) => [k, String(v)])),
      headers: c.stringRecord("headers"),
      blobConnId: c.string("blob_conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
    };
  },
  async execute(config, ctx) {
    const target = httpTarget(config.connId);
    const url = new URL(endpointUrl(target, config.endpoint));
    for (const [k, v] of Object.entries(config.query)) url.searchParams.set(k, v);
    const source = sourceUrl(url.toString());
    ctx.log(`GET ${source} -> ${config.container}/${config.blob}`);
    const response = await fetch(url, { headers: { ...target.headers, ...config.headers }, signal: ctx.signal });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`GET ${source} answered ${response.status} ${response.statusText}; nothing was stored.`);
    }
    const container = blobService(config.blobConnId).getContainerClient(config.container);
    await container.createIfNotExists();
    let bytes = 0;
    const counted = Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>).pipe(new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        done(null, chunk);
      },
    }));
    const contentType = response.headers.get("content-type") ?? "application/octet-stream";
    try {
      await container.getBlockBlobClient(config.blob).uploadStream(counted, 4 * 1024 * 1024, 4, {
        abortSignal: ctx.signal,
        blobHTTPHeaders: { blobContentType: contentType },
        metadata: { [SOURCE_METADATA]: encodeURIComponent(source) },
      });
    } catch (err) {
      throw new Error(`GET ${source}: the download broke off after ${bytes} bytes (${(err as Error).message}); nothing was stored.`);
    }
    ctx.log(`Stored ${bytes} bytes from ${source}.`);
    return { container: config.container, blob: config.blob, bytes, source, content_type: contentType };
  },
};
