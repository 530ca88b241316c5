// Runs whose orchestration ended without the ledger hearing of it: terminated, purged, or crashed
// (failed outside the orchestrator's own handling), or completed while its last ledger write was
// lost. The REST API's reads and the schedule timers check active runs against Durable and end
// them in the ledger, so no run stays "running" forever nor holds a max_active_runs slot.
import type * as df from "durable-functions";
import type { DagRunOutput } from "../../orchestrations/runtime/orchestrator/run-input";
import { storedInstant } from "../ledger/precise-instant";
import type { DagRunRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import { endRunInLedger } from "./end-run";

export interface OrchestrationState {
  runtimeStatus: string;
  output?: unknown;
}

/** Reads an orchestration's status; null when Durable has no such instance (never started, or purged). */
export interface OrchestrationStatusSource {
  status(instanceId: string): Promise<OrchestrationState | null>;
}

export function durableStatusSource(client: df.DurableClient): OrchestrationStatusSource {
  return {
    async status(instanceId) {
      try {
        const s = await client.getStatus(instanceId, { showInput: false });
        return { runtimeStatus: String(s.runtimeStatus), output: s.output };
      } catch (err) {
        if (/HTTP 404/.test((err as Error).message)) return null;
        throw err;
      }
    },
  };
}

/**
 * How long a queued run may have no orchestration: its creator inserts the ledger row first and
 * starts the orchestration right after, so a missing instance is only a loss after this.
 */
export const START_GRACE_MS = 60_000;

export interface Reconciled {
  run: DagRunRecord;
  reconciled: boolean;
  reason?: string;
}

function verdict(run: DagRunRecord, state: OrchestrationState | null, now: Date): { state: "success" | "failed"; reason: string } | null {
  if (state === null) {
    const queuedAt = storedInstant(run.queued_at ?? run.start_date)?.ms ?? 0;
    return now.getTime() - queuedAt > START_GRACE_MS ? { state: "failed", reason: "has no orchestration (purged, or never started)" } : null;
  }
  switch (state.runtimeStatus) {
    case "Terminated": return { state: "failed", reason: "had its orchestration terminated" };
    case "Failed": return { state: "failed", reason: "had its orchestration fail" };
    case "Completed": {
      const output = state.output as Partial<DagRunOutput> | null | undefined;
      return { state: output?.state === "success" ? "success" : "failed", reason: "had its orchestration complete without the ledger hearing of it" };
    }
    default: return null;
  }
}

/** Checks the active runs among `runs`; returns every run, the ended ones as the ledger now has them. */
export async function reconcileRuns(ledger: RunLedger, source: OrchestrationStatusSource, runs: readonly DagRunRecord[], now: Date): Promise<Reconciled[]> {
  return Promise.all(runs.map(async (run): Promise<Reconciled> => {
    if (run.state !== "queued" && run.state !== "running") return { run, reconciled: false };
    const decided = verdict(run, await source.status(run.instance_id), now);
    if (!decided) return { run, reconciled: false };
    const reason = `Run ${decided.reason}`;
    return { run: await endRunInLedger(ledger, run, decided.state, "reconcile", now, reason), reconciled: true, reason: decided.reason };
  }));
}
