// Azurite serves Blob, Queue and Table on loopback for the well-known development account.
import * as fs from "node:fs";
import * as path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { TableClient, AzureNamedKeyCredential } from "@azure/data-tables";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from "./azurite-account";
import { spawnDetached } from "./detached";
import { AzuriteQueue } from "./azurite-queue";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";

export { DEV_ACCOUNT, DEV_ACCOUNT_KEY };

export function azuriteEndpoints(s: ServiceSettings): { blob: string; queue: string; table: string } {
  const base = (port: number) => `http://${s.host}:${port}/${DEV_ACCOUNT}`;
  return { blob: base(s.azurite.blobPort), queue: base(s.azurite.queuePort), table: base(s.azurite.tablePort) };
}

/** A connection string for the development account on our ports (UseDevelopmentStorage=true assumes the default ports). */
export function azuriteConnectionString(s: ServiceSettings): string {
  const e = azuriteEndpoints(s);
  return [
    "DefaultEndpointsProtocol=http",
    `AccountName=${DEV_ACCOUNT}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    `BlobEndpoint=${e.blob}`,
    `QueueEndpoint=${e.queue}`,
    `TableEndpoint=${e.table}`,
    "",
  ].join(";");
}

async function answers(url: string): Promise<void> {
  // Any HTTP reply, even 400/403 to an unsigned request, proves the listener is Azurite's.
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await res.arrayBuffer();
}

async function blobRoundTrip(s: ServiceSettings): Promise<number> {
  const service = BlobServiceClient.fromConnectionString(azuriteConnectionString(s));
  const container = service.getContainerClient("azflow-health");
  await container.createIfNotExists();
  const body = `azflow health ${Date.now()} ${Math.random()}`;
  const blob = container.getBlockBlobClient("probe.txt");
  await blob.upload(body, Buffer.byteLength(body));
  const back = (await blob.downloadToBuffer()).toString("utf8");
  if (back !== body) throw new Error("blob read back differs from what was written");
  return Buffer.byteLength(body);
}

async function tableRoundTrip(s: ServiceSettings): Promise<void> {
  const table = new TableClient(azuriteEndpoints(s).table, "azflowhealth", new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY), {
    allowInsecureConnection: true,
  });
  await table.createTable();
  const stamp = String(Date.now());
  await table.upsertEntity({ partitionKey: "probe", rowKey: "last", stamp }, "Replace");
  const entity = await table.getEntity<{ stamp: string }>("probe", "last");
  if (entity.stamp !== stamp) throw new Error("table entity read back differs from what was written");
}

async function queueRoundTrip(s: ServiceSettings): Promise<void> {
  const queue = new AzuriteQueue(azuriteEndpoints(s).queue, "azflow-health");
  await queue.create();
  const text = `probe ${Date.now()}`;
  await queue.send(text);
  const messages = await queue.receive(32);
  await Promise.all(messages.map((m) => queue.delete(m)));
  if (!messages.some((m) => m.text === text)) throw new Error("queue message sent was not received");
}

export const azurite: LocalService = {
  name: "azurite",
  endpoint: (s) => `${s.host}:${s.azurite.blobPort}/${s.azurite.queuePort}/${s.azurite.tablePort}`,
  ports: (s) => [
    { port: s.azurite.blobPort, setting: "AZFLOW_AZURITE_BLOB_PORT" },
    { port: s.azurite.queuePort, setting: "AZFLOW_AZURITE_QUEUE_PORT" },
    { port: s.azurite.tablePort, setting: "AZFLOW_AZURITE_TABLE_PORT" },
  ],
  logFile: (s) => path.join(s.logDir, "azurite.log"),
  async prepare(s) {
    if (!s.azurite.inMemory) fs.mkdirSync(s.azurite.dir, { recursive: true });
  },
  async launch(s) {
    const entry = require.resolve("azurite/dist/src/azurite.js");
    const args = [
      entry,
      "--blobHost", s.host, "--blobPort", String(s.azurite.blobPort),
      "--queueHost", s.host, "--queuePort", String(s.azurite.queuePort),
      "--tableHost", s.host, "--tablePort", String(s.azurite.tablePort),
      "--silent", "--skipApiVersionCheck", "--loose", "--disableTelemetry",
      ...(s.azurite.inMemory ? ["--inMemoryPersistence"] : ["--location", s.azurite.dir]),
    ];
    const pid = await spawnDetached({ command: process.execPath, args, logFile: this.logFile(s), cwd: s.localDir });
    return { pid, marker: "azurite" };
  },
  async ping(s) {
    const e = azuriteEndpoints(s);
    await Promise.all([answers(`${e.blob}?comp=list`), answers(`${e.queue}?comp=list`), answers(`${e.table}/Tables`)]);
  },
  async probe(s) {
    const bytes = await blobRoundTrip(s);
    await tableRoundTrip(s);
    await queueRoundTrip(s);
    return `blob ${bytes} B written+read, table entity upserted+read, queue message sent+received`;
  },
  readyTimeoutMs: 30_000,
  stop: { signal: "SIGTERM", leaderOnly: false, graceMs: 10_000 },
};
