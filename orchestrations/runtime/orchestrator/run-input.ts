import type { JsonValue } from "../model/json";
import type { TaskStates } from "../rules/states";
import type { RunType } from "../time/run-ids";
import type { TurnsSnapshot } from "./durable-turns";
import type { OutboxSnapshot } from "./ledger-outbox";
import type { RunStateSnapshot } from "./run-state";

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
  /** Set when an earlier execution of this run continued as new: where it stood. */
  continued?: ContinuedRun;
}

/**
 * Where a run stood when its execution continued as new (so each episode replays a short
 * history): taken at a point where no task instance ran or waited, so this is all there is.
 */
export interface ContinuedRun {
  /** The run's start on the orchestration clock: the epoch of its ledger versions, its dagrun_timeout. */
  runStartMs: number;
  state: RunStateSnapshot;
  outbox: OutboxSnapshot;
  turns: TurnsSnapshot;
  continuations: number;
  previousRun: TaskStates | null;
  pastPollSeconds: number;
  ledgerRetrySeconds: number;
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
  /**
   * Durable actions the run created: activities (task attempts and bookkeeping), timers, and
   * continuations as new executions.
   */
  actions?: { activities: number; timers: number; continuations?: number };
}
