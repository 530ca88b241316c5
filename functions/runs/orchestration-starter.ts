// What starts a DAG run's orchestration. The REST API, the schedule timers, TriggerDagRun, the
// reconciler and the CLI all create runs the same way; only how they reach Durable differs (a
// client binding, or a stand-in in tests), so that part is behind this interface.
import type * as df from "durable-functions";
import type { DagRunInput } from "../../orchestrations/runtime/orchestrator/run-input";

export interface OrchestrationStarter {
  /**
   * Starts a run's orchestration under its derived instance id, once. An instance under that id
   * created since the run was queued is this run's (the reconciler, or an earlier call, started
   * it): nothing is done and "exists" comes back, so a late duplicate start is a no-op. An older
   * instance under the id is a leftover of a deleted run and is replaced.
   */
  start(orchestration: string, instanceId: string, input: DagRunInput, queuedAt: string): Promise<"started" | "exists">;
  /** Starts a finished run's orchestration again (a rerun), replacing the finished instance. */
  restart(orchestration: string, instanceId: string, input: DagRunInput): Promise<void>;
}

/** When the instance was created, or null when Durable has none under this id. */
async function createdAt(client: df.DurableClient, instanceId: string): Promise<number | null> {
  try {
    const status = await client.getStatus(instanceId, { showInput: false });
    return status.createdTime ? new Date(status.createdTime).getTime() : Number.POSITIVE_INFINITY;
  } catch (err) {
    if (/HTTP 404/.test((err as Error).message)) return null;
    throw err;
  }
}

/** Starts orchestrations through a Durable client binding (`df.getClient(context)`). */
export function durableClientStarter(client: df.DurableClient): OrchestrationStarter {
  const ours = (created: number | null, queuedAt: string) => created !== null && created >= Date.parse(queuedAt);
  return {
    async start(orchestration, instanceId, input, queuedAt) {
      if (ours(await createdAt(client, instanceId), queuedAt)) return "exists";
      try {
        await client.startNew(orchestration, { instanceId, input });
        return "started";
      } catch (err) {
        // Another caller started it between the check and this call (Durable refuses a running id).
        if (ours(await createdAt(client, instanceId), queuedAt)) return "exists";
        throw err;
      }
    },
    async restart(orchestration, instanceId, input) {
      await client.startNew(orchestration, { instanceId, input });
    },
  };
}
