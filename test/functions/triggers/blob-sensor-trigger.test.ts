// WasbPrefixSensor through a blob trigger, in host mode on the real clock: a sensor that pokes
// only every 10 minutes finishes within seconds of its blob landing, because the blob trigger
// (the devhost polls Azurite like the Functions host's scan) raises an event to the waiting run.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { BlobServiceClient } from "@azure/storage-blob";
import { loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { testAppEntry } from "../../support/dag-runs";
import { azuriteConnectionString, needService, settings } from "../../support/services";

const TASK_SCHEDULED = 4;
const EVENT_RAISED = 15;

describe("blob trigger wakes a waiting blob prefix sensor", () => {
  let host: RunningHost;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite"))) return;
    applyLocalAppSettings(settings());
    host = await startHost({ app: loadApp(testAppEntry("blob-wake")), port: 0, persist: false, timers: false, blobPollIntervalMs: 250, log: () => undefined });
  });
  after(async () => host?.close());

  it("the run finishes after two pokes, woken by the blob, long before the 10-minute interval", async () => {
    const { createDagRun } = await import("../../../functions/runs/create-dag-run");
    const { getDag } = await import("../../../functions/dag-registry");
    const { appRunLedger } = await import("../../../functions/runs/app-run-ledger");
    const { WATCHED_CONTAINER } = (await import(testAppEntry("blob-wake"))) as { WATCHED_CONTAINER: string };
    const starter = {
      start: async (name: string, id: string, input: unknown) => (await host.engine.start(name, input, id), "started" as const),
      restart: async (name: string, id: string, input: unknown) => void (await host.engine.start(name, input, id)),
    };
    const created = await createDagRun({ ledger: appRunLedger(), starter, now: new Date() }, getDag("blob_wake")!, {
      runType: "manual", logicalDate: new Date().toISOString(),
    });
    assert.ok(created.created);
    const runId = created.run.dag_run_id;
    const instanceId = created.run.instance_id;

    // Wait for the first poke to come back "not yet" (the wait is registered before it looks).
    const deadline = Date.now() + 15_000;
    while ((await appRunLedger().listTaskInstances("blob_wake", runId)).find((t) => t.task_id === "wait_for_file")?.state !== "up_for_reschedule") {
      assert.ok(Date.now() < deadline, "the sensor never reported up_for_reschedule");
      await new Promise((r) => setTimeout(r, 100));
    }
    const container = BlobServiceClient.fromConnectionString(azuriteConnectionString()).getContainerClient(WATCHED_CONTAINER);
    await container.createIfNotExists();
    await container.getBlockBlobClient(`${runId.replace(/:/g, "_")}/data.csv`).upload("a,b\n1,2\n", 8);

    const status = await host.engine.waitForCompletion(instanceId, { timeoutMs: 30_000 });
    assert.equal(status.runtimeStatus, "Completed");
    assert.equal((status.output as { state: string }).state, "success");
    const history = (host.engine.getStatus(instanceId, { showHistory: true })?.history ?? []) as unknown as Record<string, unknown>[];
    const pokes = history.filter((e) => e.EventType === TASK_SCHEDULED && e.Name === "op_blob_prefix_sensor").length;
    assert.equal(pokes, 2, "one poke before the blob, one when woken");
    const wakes = history.filter((e) => e.EventType === EVENT_RAISED && e.Name === "azflow.wake").map((e) => JSON.parse(String(e.Input)) as { listener?: string });
    assert.ok(wakes.some((w) => w.listener === "blob_sensor:wait_for_file:-1"), "the blob trigger's wake-up, naming the sensor, is in history");
  });
});
