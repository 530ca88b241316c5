// A registered DAG as the API's DAG object (Airflow 2.10 v1 schema). Scheduler bookkeeping that
// Airflow keeps in its dag table (next_dagrun ...) is computed from the timetable and the ledger.
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import type { CompiledSchedule } from "../../../orchestrations/runtime/time/schedule";
import { airflowIso } from "../../../orchestrations/runtime/time/time";
import type { DagRunRecord } from "../../ledger/records";
import { activeRunCount, nextDagRun } from "../../runs/schedule-due-runs";
import { timetableDescription } from "./timetable-description";

// DAG files are compiled when the app's entry loads them, which is when this module loads too.
export const PARSED_AT = airflowIso(Date.now());
// Airflow's [core] max_active_tasks_per_dag default; azflow has no per-DAG task limit.
export const MAX_ACTIVE_TASKS = 16;

export type ScheduleInterval =
  | { __type: "CronExpression"; value: string }
  | { __type: "TimeDelta"; days: number; seconds: number; microseconds: number }
  | null;

/** A duration as Airflow serialises a timedelta. */
export function timeDelta(totalSeconds: number): { __type: "TimeDelta"; days: number; seconds: number; microseconds: number } {
  const whole = Math.floor(totalSeconds);
  return { __type: "TimeDelta", days: Math.floor(whole / 86_400), seconds: whole % 86_400, microseconds: Math.round((totalSeconds - whole) * 1e6) };
}

export function scheduleInterval(schedule: CompiledSchedule): ScheduleInterval {
  switch (schedule.kind) {
    case "cron": return { __type: "CronExpression", value: schedule.preset ?? schedule.expression };
    case "once": return { __type: "CronExpression", value: "@once" };
    case "interval": return timeDelta(schedule.seconds);
    case "manual": return null;
  }
}

/** Where the DAG's definition lives (DESIGN.md: one file per DAG under orchestrations/). */
export function dagFileloc(dagId: string): string {
  return `orchestrations/${dagId}.ts`;
}

export interface DagState {
  paused: boolean;
  /** The DAG's runs from the ledger (for next_dagrun and max_active_runs). */
  runs: readonly DagRunRecord[];
  now: Date;
}

export function dagResource(dag: CompiledDag, state: DagState) {
  const next = nextDagRun(dag, state.runs, state.now);
  const atMaxActiveRuns = activeRunCount(state.runs) >= dag.maxActiveRuns;
  const fileloc = dagFileloc(dag.dagId);
  return {
    dag_id: dag.dagId,
    dag_display_name: dag.dagId,
    root_dag_id: null,
    is_paused: state.paused,
    is_active: true,
    is_subdag: false,
    last_parsed_time: PARSED_AT,
    last_pickled: null,
    last_expired: null,
    scheduler_lock: null,
    pickle_id: null,
    default_view: "grid",
    fileloc,
    // Opaque to clients, as Airflow's signed token is.
    file_token: Buffer.from(fileloc, "utf8").toString("base64url"),
    owners: ["airflow"],
    description: dag.description,
    schedule_interval: scheduleInterval(dag.schedule),
    timetable_description: timetableDescription(dag.schedule),
    tags: dag.tags.map((name) => ({ name })),
    max_active_tasks: MAX_ACTIVE_TASKS,
    max_active_runs: dag.maxActiveRuns,
    max_consecutive_failed_dag_runs: 0,
    has_task_concurrency_limits: false,
    has_import_errors: false,
    next_dagrun: next ? airflowIso(next.logicalDate) : null,
    next_dagrun_data_interval_start: next ? airflowIso(next.dataInterval.start) : null,
    next_dagrun_data_interval_end: next ? airflowIso(next.dataInterval.end) : null,
    // Airflow clears it while the DAG is at max_active_runs: no run may be created then.
    next_dagrun_create_after: next && !atMaxActiveRuns ? airflowIso(next.runAfter) : null,
  };
}

export type DagResource = ReturnType<typeof dagResource>;
