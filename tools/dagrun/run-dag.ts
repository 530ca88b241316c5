// Starting DAG runs on the local runtime and waiting for them, including the runs they trigger
// (TriggerDagRun starts them in the same engine through the Durable HTTP API).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import type { DagRunInput } from "../../orchestrations/runtime/orchestrator/run-input";
import type { DagRunRecord } from "../../functions/ledger/records";
import type { CreateDagRunRequest } from "../../functions/runs/create-dag-run";
import { isTerminal } from "../devhost";
import { CliError } from "../cli/cli-error";
import type { CliRuntime } from "./cli-runtime";
import { collectReport, runOutcome, type RunReport } from "./run-report";

/** Removes a run from the ledger and the engine, so a new run can take its date or id. */
export async function clearRun(rt: CliRuntime, run: DagRunRecord): Promise<void> {
  const status = rt.engine.getStatus(run.instance_id);
  if (status && !isTerminal(status.runtimeStatus)) {
    await rt.engine.terminate(run.instance_id, "cleared");
    await rt.engine.waitForCompletion(run.instance_id).catch(() => undefined);
    const { cancelRunSparkJobs } = await import("../../functions/runs/cancel-spark-jobs");
    await cancelRunSparkJobs(rt.ledger, run.dag_id, run.dag_run_id);
  }
  rt.engine.purge(run.instance_id);
  await rt.ledger.deleteRun(run.dag_id, run.dag_run_id);
}

/**
 * Creates a run and starts it. With `replace`, a run holding the same logical date or run id is
 * cleared first (Airflow's `dags test` does the same, so the command can be repeated).
 */
export async function startRun(rt: CliRuntime, dag: CompiledDag, request: CreateDagRunRequest, replace: boolean): Promise<DagRunRecord> {
  const { createDagRun, newDagRunRecord } = await import("../../functions/runs/create-dag-run");
  const { DagRunRequestError } = await import("../../functions/runs/run-request-error");
  const deps = { ledger: rt.ledger, starter: rt.starter, now: new Date() };
  try {
    if (replace) {
      const wanted = newDagRunRecord(dag, request, deps.now);
      const existing = [
        await rt.ledger.findDagRunByLogicalDate(dag.dagId, wanted.logical_date),
        await rt.ledger.getDagRun(dag.dagId, wanted.dag_run_id),
      ];
      for (const run of existing) if (run) await clearRun(rt, run);
    }
    const result = await createDagRun(deps, dag, request);
    if (!result.created) {
      throw new CliError(`a run of ${dag.dagId} with the same ${result.conflict === "run_id" ? "run id" : "logical date"} exists: ${result.existing.dag_run_id} (${result.existing.state}).`);
    }
    return result.run;
  } catch (err) {
    if (err instanceof DagRunRequestError) throw new CliError(err.message, 2);
    throw err;
  }
}

/** Starts an existing run's orchestration again under its own run id (a rerun). */
export async function restartRun(rt: CliRuntime, run: DagRunRecord, reuse: DagRunInput["reuse"]): Promise<void> {
  const { dagRunInput } = await import("../../functions/runs/create-dag-run");
  await rt.ledger.updateDagRun(run.dag_id, run.dag_run_id, { state: "queued", start_date: null, end_date: null });
  await rt.starter.restart(run.dag_id, run.instance_id, { ...dagRunInput(run), reuse });
}

/** Waits for one run's orchestration and reads its task instances from the ledger. */
export async function awaitRun(rt: CliRuntime, dag: CompiledDag, run: DagRunRecord, startedMs: number, reused?: ReadonlySet<string>): Promise<RunReport> {
  let waitError: Error | undefined;
  const status = await rt.engine.waitForCompletion(run.instance_id).catch((err: Error) => {
    waitError = err;
    return undefined;
  });
  const outcome = runOutcome(status, waitError);
  const wall = (Date.now() - startedMs) / 1000;
  return collectReport(rt.ledger, dag, { runId: run.dag_run_id, logicalDate: run.logical_date }, outcome, wall, reused);
}

/** Instance ids the engine knows now; what appears later was triggered. */
export function knownInstances(rt: CliRuntime): Set<string> {
  return new Set(rt.engine.list().map((s) => s.instanceId));
}

/**
 * Waits until no orchestration is running (triggered runs may trigger more), then reports the
 * runs that were not in `before`.
 */
export async function awaitTriggeredRuns(rt: CliRuntime, before: ReadonlySet<string>): Promise<RunReport[]> {
  for (;;) {
    const open = rt.engine.list().filter((s) => !isTerminal(s.runtimeStatus));
    if (!open.length) break;
    await Promise.all(open.map((s) => rt.engine.waitForCompletion(s.instanceId).catch(() => undefined)));
  }
  const reports: RunReport[] = [];
  for (const status of rt.engine.list()) {
    if (before.has(status.instanceId)) continue;
    const input = status.input as DagRunInput | undefined;
    const dag = input && rt.listDags().find((d) => d.dagId === input.dagId);
    if (!input || !dag) continue;
    // The engine's clock: wall time unless the run's timers skipped ahead.
    const seconds = (status.lastUpdatedTime.getTime() - status.createdTime.getTime()) / 1000;
    reports.push(await collectReport(rt.ledger, dag, { runId: input.runId, logicalDate: input.logicalDate }, runOutcome(status), seconds));
  }
  return reports;
}
