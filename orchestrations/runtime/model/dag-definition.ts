import type { Duration } from "../time/duration";
import type { OperatorRef } from "./operator";
import type { ScheduleInput } from "../time/schedule";
import type { SensorMode } from "./compiled-dag";
import type { TriggerRule } from "../rules/trigger-rules";
import type { TaskBuilder } from "./dag-builder";

// What a DAG file writes. Names follow Airflow's arguments in camelCase so a port reads 1:1.

/** A UTC instant: "2023-01-01" (midnight UTC), a full ISO 8601 string, or a Date. */
export type DateInput = string | Date;

/** Callbacks are referenced by registered name so the compiled DAG stays plain data. */
export type CallbackNames = string | readonly string[];

export interface RetryOptions {
  retries?: number;
  retryDelay?: Duration;
  retryExponentialBackoff?: boolean;
  maxRetryDelay?: Duration;
}

export interface SensorOptions {
  /** Default 60 s. */
  pokeInterval?: Duration;
  /** Default 7 days. */
  timeout?: Duration;
  mode?: SensorMode;
  softFail?: boolean;
  exponentialBackoff?: boolean;
  maxWait?: Duration;
  silentFail?: boolean;
  neverFail?: boolean;
}

/** Arguments every task may take; defaultArgs supplies them for all tasks of the DAG. */
export interface CommonTaskOptions extends RetryOptions {
  /** One of TRIGGER_RULES; Airflow's deprecated names `dummy` and `none_failed_or_skipped` are accepted with a warning. */
  triggerRule?: TriggerRule | "dummy" | "none_failed_or_skipped";
  executionTimeout?: Duration;
  dependsOnPast?: boolean;
  sla?: Duration;
  onSuccessCallback?: CallbackNames;
  onFailureCallback?: CallbackNames;
  onRetryCallback?: CallbackNames;
}

export interface TaskOptions extends CommonTaskOptions {
  /** Task-level params; they override the DAG's and are overridden by dag_run.conf. */
  params?: Record<string, unknown>;
  doc?: string;
  /** A setup task (see all_done_setup_success). */
  setup?: boolean;
  /** Upstream task or group ids, for ports that name dependencies instead of chaining refs. */
  upstream?: readonly string[];
  /** Dynamic mapping: argument name -> list, dict or an upstream's XCom (task.output). */
  expand?: Record<string, unknown>;
  /** Dynamic mapping over a list of argument dicts (or an upstream's XCom producing one). */
  expandKwargs?: unknown;
}

export type DefaultArgs = CommonTaskOptions & SensorOptions;

export interface DagDefinition {
  dagId: string;
  description?: string;
  /** Cron, preset (@daily ...), "@once", null for manual runs only, or { every: "20s" }. */
  schedule: ScheduleInput;
  /**
   * Event-driven as well as scheduled: a blob landing under a prefix one of the DAG's blob sensors
   * watches starts the day's run (run type dataset_triggered) when the day has none yet.
   */
  startOnBlob?: boolean;
  startDate?: DateInput;
  endDate?: DateInput;
  /** Airflow 2.10's default (catchup_by_default) is true. */
  catchup?: boolean;
  defaultArgs?: DefaultArgs;
  params?: Record<string, unknown>;
  tags?: readonly string[];
  /** Default 16. */
  maxActiveRuns?: number;
  dagrunTimeout?: Duration;
  onSuccessCallback?: CallbackNames;
  onFailureCallback?: CallbackNames;
  tasks: (t: TaskBuilder) => void;
}

/** One task as the builder recorded it, before validation and defaults. */
export interface TaskSpec {
  taskId: string;
  kind: "operator" | "branch" | "sensor";
  op: OperatorRef;
  options: TaskOptions & SensorOptions;
  /** Upstream task ids from edges drawn with then/chain/after (groups already resolved). */
  upstream: string[];
  groupId: string | null;
}

export interface GroupSpec {
  groupId: string;
  parentId: string | null;
  /** Every task in the group, nested groups included. */
  taskIds: string[];
}

/** The raw DAG the builder produced; validateDag checks it and compileDag turns it into data. */
export interface DagSpec {
  definition: Omit<DagDefinition, "tasks">;
  tasks: TaskSpec[];
  groups: GroupSpec[];
}
