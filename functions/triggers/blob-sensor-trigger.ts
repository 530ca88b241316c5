// The blob trigger behind WasbPrefixSensor: a new blob in a container that a DAG's blob sensor
// watches raises an event to every run waiting on a matching prefix, so the sensor pokes at once
// instead of at its next interval. For an event-driven DAG (startOnBlob) it first starts the
// day's run if there is none. One trigger per container, shared by all DAGs.
import { app, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { WAKE_EVENT } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { appDagStateStore } from "../ledger/dag-state";
import { appRunLedger } from "../runs/app-run-ledger";
import { startDayRunForBlob } from "../runs/blob-started-runs";
import { durableClientStarter } from "../runs/orchestration-starter";
import { removeSensorWait, waitsMatching } from "../sensors/sensor-waits";

const registered = new Set<string>();
/** Event-driven DAGs by the containers their blob sensors watch. */
const startingDags = new Map<string, CompiledDag[]>();

export function blobSensorTriggerName(container: string): string {
  return `blob_sensor_${container.replace(/-/g, "_")}`;
}

/** The containers a DAG's blob sensors watch (templated names cannot be known at registration). */
export function watchedContainers(dag: CompiledDag): string[] {
  const out = new Set<string>();
  for (const task of Object.values(dag.tasks)) {
    if (task.operator !== "blob_prefix_sensor" || !task.config || typeof task.config !== "object") continue;
    const container = (task.config as Record<string, unknown>).container;
    if (typeof container === "string" && !container.includes("{{")) out.add(container);
  }
  return [...out].sort();
}

export async function wakeWaitingSensors(blob: unknown, context: InvocationContext): Promise<void> {
  const path = String(context.triggerMetadata?.blobTrigger ?? "");
  const slash = path.indexOf("/");
  if (slash <= 0) throw new Error(`Blob trigger without a container/name path: '${path}'.`);
  const container = path.slice(0, slash);
  const name = path.slice(slash + 1);
  const client = df.getClient(context);
  let startError: unknown;
  for (const dag of startingDags.get(container) ?? []) {
    try {
      const r = await startDayRunForBlob({ ledger: appRunLedger(), starter: durableClientStarter(client), dagState: appDagStateStore(), now: new Date() }, dag, container, name);
      if (r.outcome === "created") context.log(`${path} started ${dag.dagId} run ${r.runId}.`);
      else if (r.outcome === "exists") context.log(`${path}: ${dag.dagId} already has the day's run ${r.runId} (${r.state}).`);
      else if (r.outcome === "paused") context.log(`${path}: ${dag.dagId} is paused; no run started.`);
    } catch (err) {
      // The waits below are still woken; the failed invocation is retried for this blob version.
      context.error(`${path}: starting the day's run of ${dag.dagId} failed: ${(err as Error).message}`);
      startError ??= err;
    }
  }
  for (const wait of await waitsMatching(container, name)) {
    try {
      await client.raiseEvent(wait.instanceId, WAKE_EVENT, { listener: wait.listener, container, blob: name });
      context.log(`Woke ${wait.instanceId} (${wait.listener}) for ${path}.`);
    } catch (err) {
      // The run has finished or was purged: its wait is stale.
      context.log(`Dropping stale sensor wait of ${wait.instanceId}: ${(err as Error).message}`);
      await removeSensorWait(wait);
    }
  }
  void blob;
  if (startError) throw startError;
}

export function registerBlobSensorTriggers(dag: CompiledDag): void {
  for (const container of watchedContainers(dag)) {
    if (dag.startOnBlob) startingDags.set(container, [...(startingDags.get(container) ?? []), dag]);
    if (registered.has(container)) continue;
    registered.add(container);
    app.storageBlob(blobSensorTriggerName(container), {
      path: `${container}/{name}`,
      connection: process.env.AZFLOW_BLOB_TRIGGER_CONNECTION || "AzureWebJobsStorage",
      // Flex Consumption supports only Event Grid blob triggers; polling elsewhere.
      source: process.env.AZFLOW_BLOB_TRIGGER_SOURCE === "EventGrid" ? "EventGrid" : "LogsAndContainerScan",
      extraInputs: [df.input.durableClient()],
      handler: wakeWaitingSensors,
    });
  }
}
