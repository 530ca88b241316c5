// The shapes the UI reads: Airflow 2.10's REST API v1 objects and its web server's grid and graph
// data (as served by functions/http/api). Only the fields the views use are listed.

export type TaskState =
  | "success" | "running" | "failed" | "upstream_failed" | "skipped" | "up_for_retry" | "up_for_reschedule"
  | "queued" | "scheduled" | "deferred" | "removed" | "restarting";
export type RunState = "queued" | "running" | "success" | "failed";

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
}

export type ScheduleInterval =
  | { __type: "CronExpression"; value: string }
  | { __type: "TimeDelta"; days: number; seconds: number; microseconds: number }
  | null;

export interface Dag {
  dag_id: string;
  description: string | null;
  is_paused: boolean;
  tags: { name: string }[];
  schedule_interval: ScheduleInterval;
  timetable_description: string | null;
  next_dagrun: string | null;
  next_dagrun_data_interval_start: string | null;
  next_dagrun_data_interval_end: string | null;
  next_dagrun_create_after: string | null;
  owners: string[];
  fileloc: string;
  max_active_runs: number;
}

export interface DagCollection {
  dags: Dag[];
  total_entries: number;
}

export interface DagStats {
  dags: { dag_id: string; stats: { state: RunState; count: number }[] }[];
}

export interface DagRun {
  dag_run_id: string;
  dag_id: string;
  logical_date: string | null;
  start_date: string | null;
  end_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_type: string;
  state: RunState;
  external_trigger: boolean;
  conf: Record<string, unknown>;
  note: string | null;
}

export interface DagRunCollection {
  dag_runs: DagRun[];
  total_entries: number;
}

export interface Task {
  task_id: string;
  class_ref: { module_path: string; class_name: string };
  trigger_rule: string;
  is_mapped: boolean;
  retries: number;
  downstream_task_ids: string[];
  template_fields: string[];
  azflow_operator?: string;
  doc_md: string | null;
}

export interface TaskCollection {
  tasks: Task[];
  total_entries: number;
}

export interface TaskInstance {
  task_id: string;
  dag_id: string;
  dag_run_id: string;
  execution_date: string | null;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: TaskState | null;
  try_number: number;
  map_index: number;
  max_tries: number;
  hostname: string;
  operator: string | null;
  rendered_fields: Record<string, unknown>;
  note: string | null;
  azflow_operator: string | null;
}

export interface TaskInstanceCollection {
  task_instances: TaskInstance[];
  total_entries: number;
}

export interface XComEntry {
  key: string;
  map_index: number;
  task_id: string;
  timestamp: string | null;
  value?: unknown;
}

export interface XComCollection {
  xcom_entries: XComEntry[];
  total_entries: number;
}

export interface ClearedInstances {
  task_instances: { task_id: string; dag_id: string; dag_run_id: string; execution_date: string | null }[];
}

/** One cell of the grid: a task (or group) in one run. */
export interface GridInstance {
  task_id: string;
  run_id: string;
  state: TaskState | null;
  start_date: string | null;
  end_date: string | null;
  try_number?: number;
  note?: string | null;
  mapped_states?: Record<string, number>;
}

export interface GridNode {
  id: string | null;
  label: string | null;
  instances: GridInstance[];
  children?: GridNode[];
  is_mapped?: boolean;
  operator?: string;
  trigger_rule?: string;
}

export interface GridRun {
  run_id: string;
  queued_at: string | null;
  start_date: string | null;
  end_date: string | null;
  state: RunState;
  execution_date: string | null;
  data_interval_start: string | null;
  data_interval_end: string | null;
  run_type: string;
  external_trigger: boolean;
  conf: string;
  note: string | null;
}

export interface GridData {
  groups: GridNode;
  dag_runs: GridRun[];
}

export interface GraphNode {
  id: string | null;
  value: { label: string | null; isMapped?: boolean };
  children?: GraphNode[];
}

export interface GraphData {
  arrange: string;
  nodes: GraphNode;
  edges: { source_id: string; target_id: string }[];
}
