import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { AzureNamedKeyCredential, TableClient, odata } from "@azure/data-tables";
import { BlobServiceClient } from "@azure/storage-blob";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY } from "../../../tools/services/azurite-account";
import { AzuriteQueue } from "../../../tools/services/azurite-queue";
import { azuriteConnectionString, azuriteUrls, needService, uniqueName } from "../../support/services";

test("azurite blob: upload, list and download back byte for byte", async (t) => {
  if (!(await needService(t, "azurite"))) return;
  const service = BlobServiceClient.fromConnectionString(azuriteConnectionString());
  const container = service.getContainerClient(uniqueName("test-"));
  await container.create();
  try {
    const body = randomBytes(512 * 1024);
    const blob = container.getBlockBlobClient("raw/2024-01-01/data.bin");
    await blob.uploadData(body, { blobHTTPHeaders: { blobContentType: "application/octet-stream" } });
    const names: string[] = [];
    for await (const item of container.listBlobsFlat({ prefix: "raw/" })) names.push(item.name);
    assert.deepEqual(names, ["raw/2024-01-01/data.bin"]);
    const back = await blob.downloadToBuffer();
    assert.equal(back.length, body.length);
    assert.ok(back.equals(body));
  } finally {
    await container.delete();
  }
});

test("azurite table: insert, read, merge, query and delete an entity", async (t) => {
  if (!(await needService(t, "azurite"))) return;
  const table = new TableClient(azuriteUrls().table, uniqueName("runs"), new AzureNamedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY), {
    allowInsecureConnection: true,
  });
  await table.createTable();
  try {
    await table.createEntity({ partitionKey: "dag_a", rowKey: "run_1", state: "running", tries: 1 });
    await table.updateEntity({ partitionKey: "dag_a", rowKey: "run_1", state: "success" }, "Merge");
    const entity = await table.getEntity<{ state: string; tries: number }>("dag_a", "run_1");
    assert.equal(entity.state, "success");
    assert.equal(entity.tries, 1);
    const found: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${"dag_a"} and state eq ${"success"}` } })) {
      found.push(e.rowKey as string);
    }
    assert.deepEqual(found, ["run_1"]);
    await table.deleteEntity("dag_a", "run_1");
    await assert.rejects(table.getEntity("dag_a", "run_1"), (err: { statusCode?: number }) => err.statusCode === 404);
  } finally {
    await table.deleteTable();
  }
});

test("azurite queue: send, receive and delete messages", async (t) => {
  if (!(await needService(t, "azurite"))) return;
  const queue = new AzuriteQueue(azuriteUrls().queue, uniqueName("q-"));
  await queue.create();
  t.after(() => queue.deleteQueue());
  await queue.send("first");
  await queue.send("second ünïcode <xml & friends>");
  const received = await queue.receive(32);
  assert.deepEqual(received.map((m) => m.text).sort(), ["first", "second ünïcode <xml & friends>"]);
  assert.ok(received.every((m) => m.dequeueCount === 1));
  for (const m of received) await queue.delete(m);
  assert.deepEqual(await queue.receive(32), []);
});
