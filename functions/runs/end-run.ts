// Ending a run from outside its orchestration, as Airflow's "mark success / mark failed" do: the
// run takes the state, and its unfinished task instances follow (success: every one succeeds;
// failed: running ones fail, the rest are skipped). Its rows carry a later ledger version than
// the stopped orchestration's, so whatever that still had in flight is refused; `ended_by` says
// who ended it.
import { airflowIso } from "../../orchestrations/runtime/time/time";
import { ledgerVersion } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { FINISHED_STATES, type TaskState } from "../../orchestrations/runtime/rules/states";
import type { DagRunRecord, TaskInstanceRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import type { TaskInstancePatch } from "./task-instance-rows";

const RUNNING_STATES = new Set(["running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "deferred", "restarting"]);

function finalTaskState(ti: TaskInstanceRecord, runState: "success" | "failed"): "success" | "failed" | "skipped" | null {
  if (runState === "success") return ti.state === "success" ? null : "success";
  if (ti.state !== null && FINISHED_STATES.has(ti.state as TaskState)) return null;
  return ti.state !== null && RUNNING_STATES.has(ti.state) && ti.state !== "scheduled" && ti.state !== "queued" ? "failed" : "skipped";
}

export async function endRunInLedger(
  ledger: RunLedger,
  run: DagRunRecord,
  state: "success" | "failed",
  endedBy: "api" | "reconcile",
  now: Date,
  reason?: string,
): Promise<DagRunRecord> {
  const at = airflowIso(now.getTime());
  // A version above anything the run's orchestration wrote (its epoch is when it started): the
  // writes it still had in flight are older and cannot bring the run back.
  const version = ledgerVersion(now.getTime(), 999_999_999);
  const patches: (TaskInstancePatch & { version: string })[] = [];
  for (const ti of await ledger.listTaskInstances(run.dag_id, run.dag_run_id)) {
    const next = finalTaskState(ti, state);
    if (next === null) continue;
    patches.push({
      task_id: ti.task_id, map_index: ti.map_index, state: next, end_date: at, start_date: ti.start_date ?? at, version,
      ...(reason && next === "failed" ? { error: reason } : {}),
    });
  }
  // The run first: from here on the bookkeeping activity ignores the old orchestration's writes.
  const patch: Partial<DagRunRecord> & { version: string } = { state, end_date: at, ended_by: endedBy, start_date: run.start_date ?? at, version };
  await ledger.updateDagRun(run.dag_id, run.dag_run_id, patch);
  await ledger.mergeTaskInstances(run.dag_id, run.dag_run_id, patches);
  return { ...run, ...patch };
}
