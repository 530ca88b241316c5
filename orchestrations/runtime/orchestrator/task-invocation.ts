import type { JsonObject, JsonValue } from "../model/json";
import type { RunType } from "../time/run-ids";

// The contract between the DAG orchestrator and the activities it calls. Plain data only: it is
// recorded in Durable history, so it never holds a secret (connections are resolved by id).

/** The event an activity raises to wake its orchestration when it ends (see durable-turns.ts). */
export const WAKE_EVENT = "azflow.wake";

/** Where an activity sends its wake-up: the orchestration instance and the activity's token. */
export interface WakeTarget {
  instanceId: string;
  token: string;
}

/** What a wake-up carries: the token of an activity that ended, or a listener key (a blob sensor). */
export interface WakePayload {
  token?: string;
  listener?: string;
}

/**
 * Fields the orchestrator adds to the input of any activity it calls: ledger rows to write first
 * (decisions made since the last write ride along with work being done anyway), and where to send
 * the wake-up when the activity ends.
 */
export interface ActivityEnvelope {
  $ledger?: LedgerWrite | null;
  $wake?: WakeTarget | null;
}

/** Input of an operator activity (`op_<operator>`): one attempt of one task instance. */
export interface TaskInvocation extends ActivityEnvelope {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 when the task is not mapped. */
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  operator: string;
  /** "poke": a sensor's check, answered with done or not yet. */
  mode: "execute" | "poke";
  /** The instance's config before rendering: XCom references still in place. */
  config: JsonValue;
  run: {
    runType: RunType;
    logicalDate: string;
    dataIntervalStart: string;
    dataIntervalEnd: string;
    conf: JsonObject;
  };
  dagParams: JsonObject;
  taskParams: JsonObject;
  /** The XComs this task may read (upstreams and tasks its config names), by task id. */
  xcoms: Record<string, JsonValue>;
  /** When the orchestrator started this attempt (its clock: virtual under `dags test`). */
  scheduledAt: string;
  /** Bound for one attempt (Airflow's execution_timeout), enforced by the activity. */
  executionTimeoutSeconds: number | null;
  /** When the run reaches its dagrun_timeout (orchestration clock): the attempt is interrupted then. */
  runDeadline: string | null;
  /** Version of this attempt's own ledger row: a late or repeated attempt cannot overwrite a later decision. */
  version: string;
  /** false: leave the ledger alone (`azflow tasks test`, which Airflow runs without recording state). Default true. */
  record?: boolean;
}

/** What an operator activity returns. A failure is a thrown error (TaskFailed in history). */
export type TaskActivityResult =
  | {
      outcome: "success";
      xcom: JsonValue;
      /** Keep the task running and poke this check until done (TriggerDagRun waiting for its run). */
      followUp?: {
        operator: string;
        config: JsonValue;
        pokeIntervalSeconds: number;
        /** How to stop what the operator started, when the task times out or is skipped by a branch. */
        cancel?: { operator: string; config: JsonValue };
      };
    }
  | { outcome: "skipped"; reason: string }
  | { outcome: "poke"; done: boolean; xcom: JsonValue }
  /** Stopped at the run's dagrun_timeout: the run times out. */
  | { outcome: "interrupted"; reason: string };

/** A state change for the ledger, written in batches by the `azflow_ledger_write` activity. */
export interface TaskStatePatch {
  taskId: string;
  mapIndex: number;
  state: string;
  tryNumber: number;
  maxTries: number;
  operator: string;
  /** ISO time of the change (the orchestration's clock). */
  at: string;
  /** Set when the instance never ran an attempt (skipped, upstream_failed, run by the orchestrator). */
  startedAt: string | null;
  error: string | null;
  /** The XCom, JSON-encoded, kept so `dags rerun --failed-only` can reuse it. */
  xcom: string | null;
  /** Set when the instance finished after its SLA (data_interval_end + sla): the deadline, ISO. */
  slaMissedDeadline?: string;
  /** Why the orchestrator decided this state, when it is not the task's own outcome (a branch's skip). */
  note?: string;
  /** Orders writes of one instance: a row is only replaced by one with a higher version. */
  version: string;
  /** The worker running the attempt (its own running row). */
  hostname?: string;
}

export interface LedgerWrite {
  dagId: string;
  runId: string;
  run: { state: "running" | "success" | "failed"; at: string; instanceId: string; input?: JsonObject; version: string } | null;
  tasks: TaskStatePatch[];
}

/**
 * Ledger versions compare as strings: the epoch (when this execution of the run started, or when
 * a user changed a state through the API) and a sequence number within it, both zero-padded.
 */
export function ledgerVersion(epochMs: number, seq: number): string {
  return `${String(Math.max(0, Math.floor(epochMs))).padStart(15, "0")}.${String(seq).padStart(9, "0")}`;
}

export const LEDGER_WRITE_ACTIVITY = "azflow_ledger_write";
export const PREVIOUS_RUN_STATES_ACTIVITY = "azflow_previous_run_states";
export const CALLBACK_ACTIVITY = "azflow_callback";
/** After a scheduled run ends: start the runs now due (a catchup backlog held by max_active_runs). */
export const SCHEDULE_DUE_ACTIVITY = "azflow_schedule_due";

export function operatorActivityName(operator: string): string {
  return `op_${operator}`;
}

/** The listener key a blob trigger names in its wake-up to wake a waiting blob sensor instance. */
export function blobSensorListener(taskId: string, mapIndex: number): string {
  return `blob_sensor:${taskId}:${mapIndex}`;
}
