// Backfill on the local runtime: what to do per schedule point, then the runs, concurrently up to
// the DAG's max_active_runs (the engine runs them side by side on its one virtual clock).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { backfillRuns } from "../../orchestrations/runtime/time/timetable";
import { airflowIso } from "../../orchestrations/runtime/time/time";
import type { DagRunRecord } from "../../functions/ledger/records";
import type { CliRuntime } from "./cli-runtime";
import { rerunFailedTasks } from "./rerun-failed";
import { awaitRun, awaitTriggeredRuns, clearRun, knownInstances, startRun } from "./run-dag";
import type { RunReport } from "./run-report";

export type BackfillMode = "keep" | "reset" | "rerun_failed";

export interface BackfillStep {
  logicalDate: string;
  dataInterval: { start: string; end: string };
  existing: DagRunRecord | undefined;
  action: "run" | "keep" | "reset" | "rerun_failed";
}

export async function planBackfill(rt: CliRuntime, dag: CompiledDag, start: string, end: string, mode: BackfillMode): Promise<BackfillStep[]> {
  const runs = await rt.ledger.listDagRuns(dag.dagId);
  return backfillRuns(dag, start, end).map((info) => {
    const existing = runs.find((r) => Date.parse(r.logical_date) === info.logicalDate);
    let action: BackfillStep["action"] = "run";
    if (existing) {
      if (mode === "reset") action = "reset";
      else if (mode === "rerun_failed" && existing.state === "failed") action = "rerun_failed";
      else action = "keep";
    }
    return {
      logicalDate: airflowIso(info.logicalDate),
      dataInterval: { start: airflowIso(info.dataInterval.start), end: airflowIso(info.dataInterval.end) },
      existing,
      action,
    };
  });
}

export interface BackfillOutcome {
  reports: RunReport[];
  succeeded: number;
  failed: number;
  kept: number;
}

async function runStep(rt: CliRuntime, dag: CompiledDag, step: BackfillStep, conf: Record<string, unknown>): Promise<RunReport> {
  const started = Date.now();
  if (step.action === "rerun_failed" && step.existing) {
    const rerun = await rerunFailedTasks(rt, dag, step.existing);
    const report = await awaitRun(rt, dag, step.existing, started, rerun.reused);
    await rerun.restore();
    return report;
  }
  if (step.action === "reset" && step.existing) await clearRun(rt, step.existing);
  const run = await startRun(rt, dag, { runType: "backfill", logicalDate: step.logicalDate, dataInterval: step.dataInterval, conf }, false);
  return awaitRun(rt, dag, run, started);
}

export async function runBackfill(
  rt: CliRuntime,
  dag: CompiledDag,
  plan: readonly BackfillStep[],
  conf: Record<string, unknown>,
  progress: (line: string) => void,
): Promise<BackfillOutcome> {
  const outcome: BackfillOutcome = { reports: [], succeeded: 0, failed: 0, kept: 0 };
  const todo = plan.filter((s) => s.action !== "keep");
  for (const step of plan.filter((s) => s.action === "keep")) {
    outcome.kept++;
    // A failed run left as it is still means the range is not done.
    if (step.existing?.state === "failed") outcome.failed++;
    progress(`  ${step.logicalDate}  kept existing run ${step.existing?.dag_run_id} (${step.existing?.state})${step.existing?.state === "failed" ? "; --rerun-failed-tasks or --reset-dagruns runs it again" : ""}`);
  }
  const before = knownInstances(rt);
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const step = todo[next++];
      progress(`  ${step.logicalDate}  ${step.action === "run" ? "started" : step.action === "reset" ? "reset and started" : "rerunning failed tasks"}`);
      const report = await runStep(rt, dag, step, conf);
      outcome.reports.push(report);
      if (report.state === "success") outcome.succeeded++;
      else outcome.failed++;
      done++;
      progress(`[${done}/${todo.length}] ${step.logicalDate}  ${report.runId}  ${report.state}  ${report.wallSeconds.toFixed(2)} s${report.reason ? `  (${report.reason})` : ""}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(dag.maxActiveRuns, todo.length)) }, worker));
  // Runs the backfilled runs triggered (TriggerDagRun) finish before the runtime closes.
  await awaitTriggeredRuns(rt, before);
  outcome.reports.sort((a, b) => a.logicalDate.localeCompare(b.logicalDate));
  return outcome;
}
