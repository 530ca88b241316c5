// Blob triggers by polling: lists the container under the binding path's literal prefix, and
// invokes the function for every blob whose current etag it has no receipt for. A failing
// invocation is retried on later polls, up to 5 times per blob version (the host's
// maxDequeueCount), then that version is given up on and logged.
import { BlobServiceClient } from "@azure/storage-blob";
import type { LogSink } from "./invoke";
import { ReceiptStore } from "./receipts";
import type { RegisteredFunction } from "./registry";

const MAX_ATTEMPTS = 5;

export interface BlobPathPattern {
  container: string;
  /** The literal part of the blob name before the first {parameter}: what to list. */
  prefix: string;
  match(blobName: string): Record<string, string> | undefined;
}

/** Parses "container/dir/{name}.csv" into container, listing prefix and a name matcher. */
export function parseBlobPath(path: string): BlobPathPattern {
  const slash = path.indexOf("/");
  const container = slash < 0 ? path : path.slice(0, slash);
  const pattern = slash < 0 ? "{name}" : path.slice(slash + 1) || "{name}";
  const brace = pattern.indexOf("{");
  const prefix = brace < 0 ? pattern : pattern.slice(0, brace);
  const names: string[] = [];
  const source = pattern
    .split(/(\{[^}]+\})/)
    .map((piece) => {
      const p = /^\{([^}]+)\}$/.exec(piece);
      if (!p) return piece.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
      names.push(p[1]);
      return "(.+?)";
    })
    .join("");
  const re = new RegExp(`^${source}$`);
  return {
    container,
    prefix,
    match(blobName) {
      const m = re.exec(blobName);
      if (!m) return undefined;
      return Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
    },
  };
}

/** A connection setting's value; "UseDevelopmentStorage=true" means Azurite's defaults. */
export function connectionString(settingName: string): string {
  const value = process.env[settingName] ?? process.env[`AzureWebJobs${settingName}`];
  if (!value) throw new Error(`Blob trigger connection setting '${settingName}' is not set (local.settings.json Values or the environment).`);
  return value;
}

export interface BlobPollerOptions {
  functions: RegisteredFunction[];
  receipts: ReceiptStore;
  intervalMs: number;
  invoke: (fn: RegisteredFunction, content: Buffer, triggerMetadata: Record<string, unknown>) => Promise<void>;
  log: LogSink;
}

export class BlobPoller {
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(private readonly options: BlobPollerOptions) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.polling = this.pollOnce().finally(() => {
        if (!this.stopped) this.timer = setTimeout(tick, this.options.intervalMs);
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.polling;
  }

  /** One pass over every blob-triggered function; exposed for tests. */
  async pollOnce(): Promise<void> {
    for (const fn of this.options.functions) {
      try {
        await this.pollFunction(fn);
      } catch (err) {
        this.options.log(`[${fn.name}] blob poll failed: ${(err as Error).message}`);
      }
    }
  }

  private async pollFunction(fn: RegisteredFunction): Promise<void> {
    const pattern = parseBlobPath(String(fn.trigger.path));
    const service = BlobServiceClient.fromConnectionString(connectionString(String(fn.trigger.connection ?? "AzureWebJobsStorage")));
    const container = service.getContainerClient(pattern.container);
    if (!(await container.exists())) return;
    for await (const blob of container.listBlobsFlat({ prefix: pattern.prefix, includeMetadata: true })) {
      if (this.stopped) return;
      const bindingData = pattern.match(blob.name);
      const etag = blob.properties.etag;
      if (!bindingData || !etag) continue;
      const blobPath = `${pattern.container}/${blob.name}`;
      const key = ReceiptStore.key(fn.name, blobPath);
      const receipt = this.options.receipts.get(key);
      if (receipt && receipt.etag === etag && (receipt.done || receipt.failures >= MAX_ATTEMPTS)) continue;
      const failures = receipt && receipt.etag === etag ? receipt.failures : 0;
      const client = container.getBlobClient(blob.name);
      try {
        const content = await client.downloadToBuffer();
        await this.options.invoke(fn, content, {
          ...bindingData,
          blobTrigger: blobPath,
          uri: client.url,
          properties: { ...blob.properties, etag },
          metadata: blob.metadata ?? {},
        });
        this.options.receipts.set(key, { etag, failures, done: true, at: new Date().toISOString() });
      } catch (err) {
        const next = failures + 1;
        this.options.receipts.set(key, { etag, failures: next, done: false, at: new Date().toISOString() });
        this.options.log(`[${fn.name}] ${blobPath} (etag ${etag}) failed attempt ${next}/${MAX_ATTEMPTS}: ${(err as Error).message}${next >= MAX_ATTEMPTS ? " - giving up on this blob version" : ""}`);
      }
    }
  }
}
