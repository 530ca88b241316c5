// The two things every activity the DAG orchestrator calls does for it (see
// orchestrations/runtime/orchestrator/durable-turns.ts): write the ledger rows its input carries
// before its own work, and raise the orchestration's wake-up event when it ends, success or
// failure, so a run waiting on other work notices it.
import type { InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { WAKE_EVENT, type ActivityEnvelope, type WakeTarget } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { writeLedger } from "./bookkeeping";

/** How long a wake-up is retried: past this the activity fails rather than leave its run waiting unawares. */
const WAKE_RETRY_MS = [200, 500, 1000, 2000, 5000, 10_000, 20_000];

export async function raiseWake(context: InvocationContext, wake: WakeTarget | null | undefined): Promise<void> {
  if (!wake) return;
  const client = df.getClient(context);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.raiseEvent(wake.instanceId, WAKE_EVENT, { token: wake.token });
      return;
    } catch (err) {
      // A purged orchestration takes no events (the client already ignores 410 for a finished one).
      if (/^No instance with ID/.test(String((err as Error).message))) return;
      if (attempt >= WAKE_RETRY_MS.length) throw new Error(`Could not wake orchestration '${wake.instanceId}': ${(err as Error).message}`);
      await new Promise((r) => setTimeout(r, WAKE_RETRY_MS[attempt]));
    }
  }
}

/** Wraps a bookkeeping activity: carried ledger rows first, the handler, then the wake-up. */
export function orchestratorActivity<I extends object, O>(handler: (input: I, context: InvocationContext) => Promise<O>) {
  return async (input: I & ActivityEnvelope, context: InvocationContext): Promise<O> => {
    try {
      if (input.$ledger) await writeLedger(input.$ledger, context);
      return await handler(input, context);
    } finally {
      await raiseWake(context, input.$wake);
    }
  };
}
