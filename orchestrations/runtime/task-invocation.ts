import type { JsonObject, JsonValue } from "./json";
import type { RunType } from "./run-ids";

// The contract between the DAG orchestrator and the activities it calls. Plain data only: it is
// recorded in Durable history, so it never holds a secret (connections are resolved by id).

/** Input of an operator activity (`op_<operator>`): one attempt of one task instance. */
export interface TaskInvocation {
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
  /** Bound for one attempt, enforced inside the activity too (the orchestrator cannot cancel it). */
  executionTimeoutSeconds: number | null;
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
        operator: string; config: JsonValue; pokeIntervalSeconds: number;
        /** How to stop the external work if the task is given up on (execution_timeout, termination). */
        cancel?: { operator: string; config: JsonValue };
      };
    }
  | { outcome: "skipped"; reason: string }
  | { outcome: "poke"; done: boolean; xcom: JsonValue };

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
}

export interface LedgerWrite {
  dagId: string;
  runId: string;
  run: { state: "running" | "success" | "failed"; at: string; instanceId: string; input?: JsonObject } | null;
  tasks: TaskStatePatch[];
}

export const LEDGER_WRITE_ACTIVITY = "azflow_ledger_write";
export const PREVIOUS_RUN_STATES_ACTIVITY = "azflow_previous_run_states";
export const CALLBACK_ACTIVITY = "azflow_callback";
/** After a scheduled run ends: start the runs now due (a catchup backlog held by max_active_runs). */
export const SCHEDULE_DUE_ACTIVITY = "azflow_schedule_due";

export function operatorActivityName(operator: string): string {
  return `op_${operator}`;
}

/** The external event a blob trigger raises to wake a waiting blob sensor instance. */
export function blobSensorEventName(taskId: string, mapIndex: number): string {
  return `blob_sensor:${taskId}:${mapIndex}`;
}
