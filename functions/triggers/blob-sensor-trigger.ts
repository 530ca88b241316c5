// The blob trigger behind WasbPrefixSensor: a new blob in a container that a DAG's blob sensor
// watches raises an event to every run waiting on a matching prefix, so the sensor pokes at once
// instead of at its next interval. One trigger per container, shared by all DAGs.
import { app, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { WAKE_EVENT } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { removeSensorWait, waitsMatching } from "../sensors/sensor-waits";

const registered = new Set<string>();

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
}

export function registerBlobSensorTriggers(dag: CompiledDag): void {
  for (const container of watchedContainers(dag)) {
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
