// Changing a run from outside its orchestration (the REST API): marking it success or failed, which
// stops the orchestration first, and deleting it with its task instances and Durable history.
import type * as df from "durable-functions";
import { deleteStoredValue } from "../activities/xcom-store";
import type { DagRunRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import { cancelRunSparkJobs } from "./cancel-spark-jobs";
import { endRunInLedger } from "./end-run";

export interface RunControlDeps {
  ledger: RunLedger;
  client: df.DurableClient;
}

const TERMINAL = new Set(["Completed", "Failed", "Terminated"]);
const STOP_WAIT_MS = 10_000;

async function runtimeStatus(client: df.DurableClient, instanceId: string): Promise<string | null> {
  try {
    return String((await client.getStatus(instanceId, { showInput: false })).runtimeStatus);
  } catch (err) {
    if (/HTTP 404/.test((err as Error).message)) return null;
    throw err;
  }
}

/** Terminates the run's orchestration if it still runs and waits (briefly) until Durable says it stopped. */
export async function stopOrchestration(client: df.DurableClient, instanceId: string, reason: string): Promise<void> {
  let status = await runtimeStatus(client, instanceId);
  if (status === null || TERMINAL.has(status)) return;
  await client.terminate(instanceId, reason).catch((err: Error) => {
    // Gone or finished in the meantime: nothing to stop.
    if (!/not found|410|404/i.test(err.message)) throw err;
  });
  const deadline = Date.now() + STOP_WAIT_MS;
  while (status !== null && !TERMINAL.has(status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    status = await runtimeStatus(client, instanceId);
  }
}

/**
 * Stops a run from outside: its orchestration, then the Spark jobs it left running (a terminated
 * orchestration cannot cancel them itself; Airflow's on_kill does this for a killed task).
 */
export async function stopRun(deps: RunControlDeps, run: DagRunRecord, reason: string): Promise<void> {
  await stopOrchestration(deps.client, run.instance_id, reason);
  await cancelRunSparkJobs(deps.ledger, run.dag_id, run.dag_run_id);
}

/** Airflow's mark success / mark failed: the orchestration stops, the run and its instances take the state. */
export async function markDagRun(deps: RunControlDeps, run: DagRunRecord, state: "success" | "failed", now: Date): Promise<DagRunRecord> {
  await stopRun(deps, run, `marked ${state} through the REST API`);
  return endRunInLedger(deps.ledger, run, state, "api", now);
}

/** Deletes the run: its orchestration is stopped and purged, its ledger rows and stored conf removed (logs stay, as in Airflow). */
export async function deleteDagRun(deps: RunControlDeps, run: DagRunRecord): Promise<void> {
  await stopRun(deps, run, "run deleted through the REST API");
  await deps.client.purgeInstanceHistory(run.instance_id).catch(() => undefined);
  await deps.ledger.deleteRun(run.dag_id, run.dag_run_id);
  await deleteStoredValue(run.conf);
}
