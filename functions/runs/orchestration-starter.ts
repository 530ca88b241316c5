// What starts a DAG run's orchestration. The REST API, the schedule timers, TriggerDagRun and the
// CLI all create runs the same way; only how they reach Durable differs (a client binding, or a
// stand-in in tests), so that part is behind this interface.
import type * as df from "durable-functions";
import type { DagRunInput } from "../../orchestrations/runtime/orchestrator/run-input";

export interface OrchestrationStarter {
  start(orchestration: string, instanceId: string, input: DagRunInput): Promise<void>;
}

/** Starts orchestrations through a Durable client binding (`df.getClient(context)`). */
export function durableClientStarter(client: df.DurableClient): OrchestrationStarter {
  return {
    async start(orchestration, instanceId, input) {
      await client.startNew(orchestration, { instanceId, input });
    },
  };
}
