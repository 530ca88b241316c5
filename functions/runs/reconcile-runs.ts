// Runs whose orchestration and ledger row disagree, put right. A queued run with no orchestration
// lost its start (a crash between the ledger insert and the start, in Azure as here): it is
// started now, under its derived instance id, so it neither holds its logical date and a
// max_active_runs slot forever nor runs twice. A run whose orchestration ended without the ledger
// hearing of it (terminated, purged, crashed, or completed while its last ledger write was lost)
// is ended in the ledger. The REST API's reads, the schedule timers and the reconcile timer (at
// host start and every few minutes) call this.
import type * as df from "durable-functions";
import type { DagRunOutput } from "../../orchestrations/runtime/orchestrator/run-input";
import { storedInstant } from "../ledger/precise-instant";
import type { DagRunRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import { getDag } from "../dag-registry";
import { dagRunInput } from "./create-dag-run";
import { endRunInLedger } from "./end-run";
import type { OrchestrationStarter } from "./orchestration-starter";

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
 * starts the orchestration right after, so a missing instance is only a lost start after this.
 */
export const START_GRACE_MS = 60_000;

export interface ReconcileDeps {
  ledger: RunLedger;
  status: OrchestrationStatusSource;
  starter: OrchestrationStarter;
}

export interface Reconciled {
  run: DagRunRecord;
  reconciled: boolean;
  reason?: string;
  /** Why a lost start could not be made up for (it is tried again at the next check). */
  error?: string;
}

type Verdict = { action: "start"; reason: string } | { action: "end"; state: "success" | "failed"; reason: string };

function verdict(run: DagRunRecord, state: OrchestrationState | null, now: Date): Verdict | null {
  if (state === null) {
    const queuedAt = storedInstant(run.queued_at ?? run.start_date)?.ms ?? 0;
    if (now.getTime() - queuedAt <= START_GRACE_MS) return null;
    if (run.state === "queued") return { action: "start", reason: "had no orchestration (its start was lost); started it" };
    return { action: "end", state: "failed", reason: "has no orchestration (purged, or lost)" };
  }
  switch (state.runtimeStatus) {
    case "Terminated": return { action: "end", state: "failed", reason: "had its orchestration terminated" };
    case "Failed": return { action: "end", state: "failed", reason: "had its orchestration fail" };
    case "Completed": {
      const output = state.output as Partial<DagRunOutput> | null | undefined;
      return { action: "end", state: output?.state === "success" ? "success" : "failed", reason: "had its orchestration complete without the ledger hearing of it" };
    }
    default: return null;
  }
}

async function reconcileOne(deps: ReconcileDeps, run: DagRunRecord, now: Date): Promise<Reconciled> {
  if (run.state !== "queued" && run.state !== "running") return { run, reconciled: false };
  const decided = verdict(run, await deps.status.status(run.instance_id), now);
  if (!decided) return { run, reconciled: false };
  if (decided.action === "start") {
    // A run of a DAG this app no longer has stays as it is: nothing here could run it.
    if (!getDag(run.dag_id)) return { run, reconciled: false, error: `DAG '${run.dag_id}' is not registered` };
    try {
      // Under the run's own instance id: if its creator's start arrives after all, it is a no-op.
      const started = await deps.starter.start(run.dag_id, run.instance_id, dagRunInput(run), run.queued_at ?? now.toISOString());
      return { run, reconciled: started === "started", reason: decided.reason };
    } catch (err) {
      // A read of the API must not fail because of it; the next check tries again.
      return { run, reconciled: false, error: `its lost start could not be made up for: ${(err as Error).message}` };
    }
  }
  const reason = `Run ${decided.reason}`;
  return { run: await endRunInLedger(deps.ledger, run, decided.state, "reconcile", now, reason), reconciled: true, reason: decided.reason };
}

/** Checks the active runs among `runs`; returns every run, the ended ones as the ledger now has them. */
export async function reconcileRuns(deps: ReconcileDeps, runs: readonly DagRunRecord[], now: Date): Promise<Reconciled[]> {
  return Promise.all(runs.map((run) => reconcileOne(deps, run, now)));
}
