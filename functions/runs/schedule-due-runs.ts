// The scheduler's decision for one DAG at one moment: which scheduled runs are due and may be
// created now. The timer trigger calls this on each firing; it holds no state of its own, so the
// ledger is the only memory and any firing (late, early, twice) converges on the same runs.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { airflowIso, parseInstant } from "../../orchestrations/runtime/time/time";
import { nextScheduledRun, scheduledRunsDue, timetableFor, type DagRunInfo, type DataInterval } from "../../orchestrations/runtime/time/timetable";
import type { DagRunRecord } from "../ledger/records";
import type { RunLedger } from "../ledger/run-ledger";
import { createDagRun, DagRunStartError } from "./create-dag-run";
import type { OrchestrationStarter } from "./orchestration-starter";

export interface ScheduleOutcome {
  dagId: string;
  paused: boolean;
  /** Run ids created and started by this call, oldest first. */
  created: string[];
  /** Due runs that already existed (a duplicate or overlapping firing). */
  existing: string[];
  /** Run ids created whose orchestration failed to start (marked failed in the ledger). */
  failedToStart: { runId: string; error: string }[];
  /** Due runs left for a later firing because max_active_runs was reached. */
  heldByMaxActiveRuns: number;
  /** Queued or running runs before this call. */
  activeRuns: number;
}

const isActive = (run: DagRunRecord) => run.state === "queued" || run.state === "running";

/**
 * The data interval of the latest automated run (scheduled or backfill, by logical date): where the
 * timetable continues from, as Airflow's last automated DAG run.
 */
export function lastAutomatedInterval(dag: CompiledDag, runs: readonly DagRunRecord[]): DataInterval | null {
  let latest: DagRunRecord | undefined;
  for (const run of runs) {
    if (run.run_type !== "scheduled" && run.run_type !== "backfill") continue;
    if (!latest || parseInstant(run.logical_date) > parseInstant(latest.logical_date)) latest = run;
  }
  if (!latest) return null;
  const logical = parseInstant(latest.logical_date);
  if (latest.data_interval_start === null || latest.data_interval_end === null) return timetableFor(dag.schedule).dataIntervalFor(logical);
  return { start: parseInstant(latest.data_interval_start), end: parseInstant(latest.data_interval_end) };
}

/** The next scheduled run after what the ledger holds (the REST API's next_dagrun fields). */
export function nextDagRun(dag: CompiledDag, runs: readonly DagRunRecord[], now: Date): DagRunInfo | null {
  return nextScheduledRun(dag, lastAutomatedInterval(dag, runs), now);
}

export function activeRunCount(runs: readonly DagRunRecord[]): number {
  return runs.filter(isActive).length;
}

/**
 * Creates (and starts) the scheduled runs that are due at `now`, oldest first, while fewer than
 * max_active_runs runs are queued or running. A paused DAG creates nothing. Runs that already exist
 * are skipped, so calling this twice for the same moment is a no-op the second time.
 */
export async function scheduleDueRuns(
  dag: CompiledDag,
  ledger: RunLedger,
  starter: OrchestrationStarter,
  now: Date,
  paused: boolean,
): Promise<ScheduleOutcome> {
  const outcome: ScheduleOutcome = { dagId: dag.dagId, paused, created: [], existing: [], failedToStart: [], heldByMaxActiveRuns: 0, activeRuns: 0 };
  if (paused) return outcome;
  const runs = await ledger.listDagRuns(dag.dagId);
  outcome.activeRuns = activeRunCount(runs);
  const due = scheduledRunsDue(dag, { now, lastAutomated: lastAutomatedInterval(dag, runs) });
  let slots = Math.max(0, dag.maxActiveRuns - outcome.activeRuns);
  for (const [i, info] of due.entries()) {
    if (slots === 0) {
      outcome.heldByMaxActiveRuns = due.length - i;
      break;
    }
    const request = {
      runType: "scheduled" as const,
      logicalDate: airflowIso(info.logicalDate),
      dataInterval: { start: airflowIso(info.dataInterval.start), end: airflowIso(info.dataInterval.end) },
    };
    try {
      const result = await createDagRun({ ledger, starter, now }, dag, request);
      if (result.created) {
        outcome.created.push(result.run.dag_run_id);
        slots--;
      } else {
        outcome.existing.push(result.existing.dag_run_id);
      }
    } catch (err) {
      if (!(err instanceof DagRunStartError)) throw err;
      // The run exists (failed) so the timetable moves past it; the next due runs still start.
      outcome.failedToStart.push({ runId: err.run.dag_run_id, error: err.message });
    }
  }
  return outcome;
}

/** One line for the invocation log. */
export function describeOutcome(o: ScheduleOutcome): string {
  if (o.paused) return `DAG '${o.dagId}' is paused: no scheduled runs created`;
  const parts = [
    o.created.length ? `created ${o.created.join(", ")}` : "created no runs",
    o.existing.length ? `already existed: ${o.existing.join(", ")}` : "",
    o.failedToStart.length ? `failed to start: ${o.failedToStart.map((f) => `${f.runId} (${f.error})`).join("; ")}` : "",
    o.heldByMaxActiveRuns ? `${o.heldByMaxActiveRuns} due run(s) wait for max_active_runs (${o.activeRuns} active before this firing)` : "",
  ];
  return `DAG '${o.dagId}': ${parts.filter(Boolean).join("; ")}`;
}
