// Blob triggers polling a real Azurite (started here on a free port, in memory): each blob version
// fires once, and the receipts survive a host restart.
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { startHost, type RunningHost } from "../../../tools/devhost";
import { parseBlobPath } from "../../../tools/devhost/blob-poller";
import { repoRoot, sampleApp, waitFor } from "./helpers";
import { freePort } from "../../../tools/services/ports";
import { blobFirings } from "../../apps/triggers/state";

// Azurite's well-known development account key (public, documented).
const DEV_ACCOUNT = "devstoreaccount1";
const DEV_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

describe("blob path patterns", () => {
  it("splits container, listing prefix and parameters", () => {
    const p = parseBlobPath("landing/raw/{dag}/{name}.csv");
    assert.equal(p.container, "landing");
    assert.equal(p.prefix, "raw/");
    assert.deepEqual(p.match("raw/sales/2024-01-01.csv"), { dag: "sales", name: "2024-01-01" });
    assert.equal(p.match("raw/sales/2024-01-01.json"), undefined);
    assert.equal(p.match("other/x.csv"), undefined);
  });
});

describe("blob trigger against Azurite", () => {
  let azurite: ChildProcess;
  let container: ContainerClient;
  let stateDir: string;
  const app = sampleApp("triggers");

  before(async () => {
    const port = await freePort();
    azurite = spawn(path.join(repoRoot, "node_modules", ".bin", "azurite-blob"), ["--blobHost", "127.0.0.1", "--blobPort", String(port), "--inMemoryPersistence", "--silent", "--skipApiVersionCheck", "--disableTelemetry"], { stdio: "ignore" });
    process.env.AzflowTestStorage = `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};BlobEndpoint=http://127.0.0.1:${port}/${DEV_ACCOUNT};`;
    const service = BlobServiceClient.fromConnectionString(process.env.AzflowTestStorage);
    container = service.getContainerClient("inbox");
    await waitFor("Azurite to accept requests", async () => ((await container.createIfNotExists().then(() => true, () => false)) ? true : undefined), 20_000, 200);
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "devhost-blob-"));
  });

  after(() => {
    azurite?.kill();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  const startTriggerHost = () => startHost({ app, port: 0, stateDir, timers: false, blobPollIntervalMs: 100, log: () => undefined });
  const upload = (name: string, text: string) => container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
  const settle = () => new Promise((r) => setTimeout(r, 600));

  it("fires once per blob version, also across a restart", async () => {
    let host: RunningHost = await startTriggerHost();
    try {
      await upload("a.txt", "v1");
      await waitFor("first firing", () => (blobFirings.length >= 1 ? true : undefined));
      await settle();
      assert.deepEqual(blobFirings, [{ name: "a.txt", blobTrigger: "inbox/a.txt", content: "v1" }]);

      await upload("a.txt", "v2");
      await waitFor("firing for the new version", () => (blobFirings.length >= 2 ? true : undefined));
      await settle();
      assert.equal(blobFirings.length, 2);
      assert.equal(blobFirings[1].content, "v2");
      await host.close();

      host = await startTriggerHost();
      await settle();
      assert.equal(blobFirings.length, 2, "receipts must survive the restart");
      await upload("b.txt", "hello");
      await waitFor("firing for a new blob", () => (blobFirings.length >= 3 ? true : undefined));
      await settle();
      assert.deepEqual(blobFirings.slice(2), [{ name: "b.txt", blobTrigger: "inbox/b.txt", content: "hello" }]);
    } finally {
      await host.close();
    }
  });
});
