import type { JsonValue } from "../model/json";
import type { RunType } from "../time/run-ids";

// What starts a DAG run's orchestration and what it returns. Plain data, no secrets: the same
// input goes into Durable history, the ledger and the REST API.

/** A task result carried over from an earlier run (`dags rerun --failed-only`). */
export interface ReusedTask {
  state: "success" | "skipped";
  /** The XCom (inline value or blob reference); per map index for a mapped task. */
  xcom: JsonValue;
  mapped: boolean;
}

export interface DagRunInput {
  dagId: string;
  runId: string;
  runType: RunType;
  /** ISO 8601 UTC (Airflow's format, +00:00). */
  logicalDate: string;
  dataIntervalStart: string;
  dataIntervalEnd: string;
  conf: Record<string, JsonValue>;
  externalTrigger: boolean;
  /** Task id -> result reused instead of running the task again. */
  reuse?: Record<string, ReusedTask>;
}

export interface TaskInstanceSummary {
  taskId: string;
  mapIndex: number;
  state: string | null;
  tryNumber: number;
}

export interface DagRunOutput {
  dagId: string;
  runId: string;
  state: "success" | "failed";
  /** Why the run failed when no task did (deadlock, dagrun_timeout). */
  reason: string | null;
  tasks: TaskInstanceSummary[];
  /** Durable actions the run created: activities (task attempts and bookkeeping) and timers. */
  actions?: { activities: number; timers: number };
}
