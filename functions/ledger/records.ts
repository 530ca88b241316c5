// The run ledger's records: Airflow's DagRun and TaskInstance, with Airflow's field names so the
// REST API can return them unchanged.

export type DagRunState = "queued" | "running" | "success" | "failed";
export type TaskState =
  | "scheduled" | "queued" | "running" | "success" | "failed" | "skipped" | "upstream_failed"
  | "up_for_retry" | "up_for_reschedule" | "deferred" | "removed";
export type RunType = "scheduled" | "manual" | "backfill" | "dataset_triggered";

export interface DagRunRecord {
  dag_id: string;
  dag_run_id: string;
  /** The Durable instance running it, derived from (dag_id, run_id). */
  instance_id: string;
  logical_date: string;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_type: RunType;
  state: DagRunState;
  external_trigger: boolean;
  conf: Record<string, unknown>;
  note: string | null;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  /** When the row last changed (Table Storage's Timestamp); set on rows read back. */
  updated_at?: string;
  /** Set when the run was ended from outside its orchestration (marked by the API, or reconciled). */
  ended_by?: "api" | "reconcile";
}

export interface TaskInstanceRecord {
  dag_id: string;
  dag_run_id: string;
  task_id: string;
  /** -1 for an unmapped task, as in Airflow. */
  map_index: number;
  state: TaskState | null;
  try_number: number;
  max_tries: number;
  operator: string;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  /** A one-line, secret-masked summary of the last failure. */
  error: string | null;
  /** The task's result when small, so `dags rerun --failed-only` can reuse it. */
  xcom: string | null;
  /** The worker that ran the last attempt. */
  hostname?: string;
  /** The SLA deadline this instance missed (ISO), when it finished late. */
  sla_missed_deadline?: string;
  /** Why the scheduler set this state, when it is not the task's own outcome (a branch's skip). */
  note?: string;
  /** The last attempt's rendered template fields, JSON text of field -> value (secrets masked). */
  rendered_fields?: string;
  /** When the row last changed (Table Storage's Timestamp); set on rows read back. */
  updated_at?: string;
  /**
   * The external job this instance started, as JSON (a Spark job handle), so a terminated run's
   * jobs can still be cancelled; Airflow's field of the same name. Cleared when the job ends.
   */
  external_executor_id?: string;
}
