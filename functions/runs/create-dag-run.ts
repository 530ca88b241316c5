// Creating a DAG run, the one path shared by the REST API, the schedule timers, TriggerDagRun and
// the CLI. The ledger row is written first with insert-if-absent: that is the guard that makes a
// duplicate timer firing or a retried request a no-op, because only the caller that inserted the
// row goes on to start the orchestration (under an instance id derived from dag id and run id).
import { randomUUID } from "node:crypto";
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { instanceIdFor, type RunType } from "../../orchestrations/runtime/time/run-ids";
import type { DagRunInput } from "../../orchestrations/runtime/orchestrator/run-input";
import { airflowIso, parseInstant } from "../../orchestrations/runtime/time/time";
import { manualRunInfo, timetableFor } from "../../orchestrations/runtime/time/timetable";
import type { DagRunRecord } from "../ledger/records";
import { formatPreciseInstant, preciseNow } from "../ledger/precise-instant";
import type { RunLedger } from "../ledger/run-ledger";
import { deleteStoredValue, storeLargeValue } from "../activities/xcom-store";
import { placeholderTaskInstances } from "./task-instance-rows";
import type { OrchestrationStarter } from "./orchestration-starter";
import { DagRunRequestError } from "./run-request-error";
import { validConf, validInstant, validRunId } from "./validate-run-request";

export interface CreateDagRunDeps {
  ledger: RunLedger;
  starter: OrchestrationStarter;
  now: Date;
}

export interface CreateDagRunRequest {
  runType: RunType;
  /** ISO 8601; default: now. */
  logicalDate?: string;
  /** Default: `<run_type>__<logical_date>`. */
  runId?: string;
  /** A JSON object; default {}. */
  conf?: unknown;
  note?: string | null;
  /** ISO 8601 instants; default from the DAG's timetable (see dataIntervalFor below). */
  dataInterval?: { start: string; end: string };
}

export type CreateDagRunResult =
  | { created: true; run: DagRunRecord }
  | { created: false; conflict: "run_id" | "logical_date"; existing: DagRunRecord };

/** Why starting the orchestration failed; the ledger run has been marked failed. */
export class DagRunStartError extends Error {
  override name = "DagRunStartError";
  constructor(readonly run: DagRunRecord, cause: unknown) {
    super(`DAG run '${run.dag_run_id}' of '${run.dag_id}' could not be started: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * Scheduled and backfill runs cover the timetable's interval starting at the logical date; other
 * runs get Airflow's inferred manual interval (for cron: the schedule point at or before the
 * logical date and the one before it).
 */
function dataIntervalFor(dag: CompiledDag, runType: RunType, logicalMs: number): { start: string; end: string } {
  const interval = runType === "scheduled" || runType === "backfill"
    ? timetableFor(dag.schedule).dataIntervalFor(logicalMs)
    : manualRunInfo(dag, logicalMs).dataInterval;
  return { start: airflowIso(interval.start), end: airflowIso(interval.end) };
}

function givenInterval(interval: { start: string; end: string }): { start: string; end: string } {
  const start = validInstant(interval.start, "data_interval_start");
  const end = validInstant(interval.end, "data_interval_end");
  if (parseInstant(end) < parseInstant(start)) throw new DagRunRequestError("data_interval_end must not be before data_interval_start");
  return { start, end };
}

/** The queued run as it goes into the ledger, validated; throws DagRunRequestError on bad input. */
export function newDagRunRecord(dag: CompiledDag, request: CreateDagRunRequest, now: Date): DagRunRecord {
  // Microseconds, strictly increasing per process: two requests without a date never share one.
  const logicalDate = request.logicalDate === undefined ? formatPreciseInstant(preciseNow(now.getTime())) : validInstant(request.logicalDate, "logical_date");
  // Airflow's `<run_type>__<logical_date>`, with the date's microseconds.
  const runId = request.runId === undefined ? `${request.runType}__${logicalDate}` : validRunId(request.runId);
  const conf = validConf(request.conf);
  if (request.note !== undefined && request.note !== null && typeof request.note !== "string") throw new DagRunRequestError("note must be a string");
  const interval = request.dataInterval ? givenInterval(request.dataInterval) : dataIntervalFor(dag, request.runType, parseInstant(logicalDate));
  return {
    dag_id: dag.dagId,
    dag_run_id: runId,
    instance_id: instanceIdFor(dag.dagId, runId),
    logical_date: logicalDate,
    data_interval_start: interval.start,
    data_interval_end: interval.end,
    run_type: request.runType,
    state: "queued",
    // Airflow sets it for runs started from outside the scheduler (API, CLI, TriggerDagRun).
    external_trigger: request.runType === "manual",
    conf,
    note: request.note ?? null,
    queued_at: airflowIso(now.getTime()),
    start_date: null,
    end_date: null,
  };
}

export function dagRunInput(run: DagRunRecord): DagRunInput {
  return {
    dagId: run.dag_id,
    runId: run.dag_run_id,
    runType: run.run_type,
    logicalDate: run.logical_date,
    dataIntervalStart: run.data_interval_start ?? run.logical_date,
    dataIntervalEnd: run.data_interval_end ?? run.logical_date,
    conf: run.conf as DagRunInput["conf"],
    externalTrigger: run.external_trigger,
  };
}

/** Tries before giving up when a defaulted logical date keeps meeting another caller's. */
const DEFAULT_DATE_ATTEMPTS = 5;

/**
 * Creates a run in state queued, with every task instance in state none (as Airflow does), and
 * starts its orchestration. (dag_id, run_id) and (dag_id, logical_date) are unique, as in Airflow:
 * an existing run is returned as a conflict and nothing is started. A logical date the caller did
 * not give is "now", taken again when another process took the same microsecond. A conf too large
 * for the ledger and the orchestration input is stored in blob storage and passed by reference.
 * If starting fails the run is marked failed and DagRunStartError is thrown.
 */
export async function createDagRun(deps: CreateDagRunDeps, dag: CompiledDag, request: CreateDagRunRequest): Promise<CreateDagRunResult> {
  const defaulted = request.logicalDate === undefined;
  for (let attempt = 1; ; attempt++) {
    const result = await createOnce(deps, dag, request);
    const retry = defaulted && !result.created && (result.conflict === "logical_date" || request.runId === undefined) && attempt < DEFAULT_DATE_ATTEMPTS;
    if (!retry) return result;
  }
}

async function createOnce(deps: CreateDagRunDeps, dag: CompiledDag, request: CreateDagRunRequest): Promise<CreateDagRunResult> {
  const run = newDagRunRecord(dag, request, deps.now);
  const { ledger } = deps;
  const [sameDate, sameId] = await Promise.all([
    ledger.findDagRunByLogicalDate(dag.dagId, run.logical_date),
    ledger.getDagRun(dag.dagId, run.dag_run_id),
  ]);
  // Airflow reports the logical date first when a run matches both.
  if (sameDate) return { created: false, conflict: "logical_date", existing: sameDate };
  if (sameId) return { created: false, conflict: "run_id", existing: sameId };
  const conf = run.conf;
  run.conf = (await storeLargeValue(conf, `dagrun-conf/${encodeURIComponent(dag.dagId)}/${encodeURIComponent(run.dag_run_id)}/${randomUUID()}.json`)) as DagRunRecord["conf"];
  if (!(await ledger.createDagRun(run))) {
    if (run.conf !== conf) await deleteStoredValue(run.conf);
    // Another caller inserted the run id or the logical date between the check and the insert
    // (a duplicate firing, or two manual triggers at once).
    const byDate = await ledger.findDagRunByLogicalDate(dag.dagId, run.logical_date);
    if (byDate) return { created: false, conflict: "logical_date", existing: byDate };
    const existing = await ledger.getDagRun(dag.dagId, run.dag_run_id);
    if (existing) return { created: false, conflict: "run_id", existing };
    throw new Error(`DAG run '${run.dag_run_id}' of '${dag.dagId}' was inserted by someone else and is gone again`);
  }
  try {
    await ledger.createTaskInstances(dag.dagId, run.dag_run_id, placeholderTaskInstances(dag));
    // A start the reconciler made first (this caller stalled past the start grace) is a no-op here.
    await deps.starter.start(dag.dagId, run.instance_id, dagRunInput(run), run.queued_at ?? airflowIso(deps.now.getTime()));
  } catch (err) {
    const endDate = airflowIso(deps.now.getTime());
    await ledger.updateDagRun(dag.dagId, run.dag_run_id, { state: "failed", end_date: endDate });
    throw new DagRunStartError({ ...run, state: "failed", end_date: endDate }, err);
  }
  return { created: true, run: { ...run, conf } };
}
