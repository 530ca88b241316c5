// Blob prefix sensors that are waiting, kept in Table Storage so a blob trigger can wake them:
// the trigger finds the waits whose container and prefix match the new blob and raises an event
// to each waiting run. Pokes still run on their interval, so a missed event only delays a run.
// Rows are keyed by run instance, so a sensor that finishes in any state drops its own wait.
import { RestError } from "@azure/data-tables";
import { appTableClient } from "../hooks/app-storage";
import { toKey } from "../ledger/table-keys";

export const SENSOR_WAITS_TABLE = "azflowSensorWaits";

export interface SensorWait {
  container: string;
  prefix: string;
  instanceId: string;
  listener: string;
}

let ready: Promise<unknown> | undefined;
function table() {
  const client = appTableClient(SENSOR_WAITS_TABLE);
  // A failure is not cached: the next call tries again.
  ready ??= client.createTable().catch((err: unknown) => {
    ready = undefined;
    throw err;
  });
  return { client, ready };
}

function ignoreNotFound(err: unknown): void {
  if (!(err instanceof RestError && err.statusCode === 404)) throw err;
}

export async function addSensorWait(wait: SensorWait): Promise<void> {
  const { client, ready: created } = table();
  await created;
  await client.upsertEntity({ partitionKey: toKey(wait.instanceId), rowKey: toKey(wait.listener), ...wait }, "Replace");
}

export async function removeSensorWait(wait: Pick<SensorWait, "instanceId" | "listener">): Promise<void> {
  const { client, ready: created } = table();
  await created;
  await client.deleteEntity(toKey(wait.instanceId), toKey(wait.listener)).catch(ignoreNotFound);
}

/**
 * The waits a new blob satisfies: same container, blob name under the prefix. A scan with a
 * filter: the table holds only sensors waiting right now, so it stays small.
 */
export async function waitsMatching(container: string, blobName: string): Promise<SensorWait[]> {
  const { client, ready: created } = table();
  await created;
  const out: SensorWait[] = [];
  const filter = `container eq '${container.replace(/'/g, "''")}'`;
  for await (const e of client.listEntities<SensorWait>({ queryOptions: { filter } })) {
    if (blobName.startsWith(e.prefix)) out.push({ container: e.container, prefix: e.prefix, instanceId: e.instanceId, listener: e.listener });
  }
  return out;
}
