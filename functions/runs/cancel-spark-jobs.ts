// Cancels every Spark job a run still has open. The submit activity records each job's handle on
// its task instance (external_executor_id) and the status check clears it when the job ends, so
// what is left recorded is what may still run: after a run is terminated, this stops it.
import { sparkBackend } from "../hooks/spark";
import type { RunLedger } from "../ledger/run-ledger";
import type { RecordedSparkJob } from "../activities/spark-submit";

export interface CancelledJob {
  taskId: string;
  mapIndex: number;
  state: string;
  detail: string;
}

export async function cancelRunSparkJobs(ledger: RunLedger, dagId: string, runId: string): Promise<CancelledJob[]> {
  const out: CancelledJob[] = [];
  for (const ti of await ledger.listTaskInstances(dagId, runId)) {
    if (!ti.external_executor_id) continue;
    let job: RecordedSparkJob;
    try {
      job = JSON.parse(ti.external_executor_id) as RecordedSparkJob;
    } catch {
      continue; // not a job this app recorded
    }
    if (!job.handle || !job.connId) continue;
    try {
      const status = await sparkBackend(job.connId).cancel(job.handle);
      await ledger.setExternalExecutorId(dagId, runId, ti.task_id, ti.map_index, null);
      out.push({ taskId: ti.task_id, mapIndex: ti.map_index, state: status.state, detail: status.detail });
    } catch (err) {
      // The handle stays recorded, so a later call can try again.
      out.push({ taskId: ti.task_id, mapIndex: ti.map_index, state: "error", detail: (err as Error).message });
    }
  }
  return out;
}
