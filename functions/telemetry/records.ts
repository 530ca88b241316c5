// The structured records azflow's telemetry is made of, and the sink interface that carries them
// somewhere: Application Insights in Azure, the console and .local/logs here, and any sink added
// later (per-try task logs in blob storage, a live tail). Records hold no secrets: log messages are
// masked before a record is built.

/** Airflow's task-instance key: every task log line and task metric carries it. */
export interface TaskDimensions {
  dag_id: string;
  run_id: string;
  task_id: string;
  try_number: number;
  /** -1 for an unmapped task, as in Airflow. */
  map_index: number;
}

export type LogLevel = "info" | "warning" | "error";

export interface TaskLogRecord {
  kind: "log";
  /** ISO 8601, when the line was written. */
  time: string;
  level: LogLevel;
  message: string;
  dimensions: TaskDimensions;
  operator: string;
  /** The W3C traceparent of the Functions invocation that wrote the line, for correlation. */
  traceParent?: string;
}

export type MetricName =
  | "azflow.task.duration"
  | "azflow.rows.loaded"
  | "azflow.rows.dead_lettered"
  | "azflow.consumer.lag"
  | "azflow.dag_run.outcome"
  | "azflow.dag_run.duration"
  | "azflow.sla.misses";

export interface MetricRecord {
  kind: "metric";
  time: string;
  name: MetricName;
  value: number;
  /** UCUM-style unit as OpenTelemetry uses: "s", "{row}", "{message}", "{run}". */
  unit: string;
  dimensions: Record<string, string | number>;
}

export type TelemetryRecord = TaskLogRecord | MetricRecord;

/**
 * Somewhere records go. `write` must not throw for a record it cannot deliver (telemetry never
 * fails a task); `flush` resolves once what was written has been delivered or given up on.
 */
export interface TelemetrySink {
  readonly name: string;
  /** Shows task log lines to a person as they are written (the CLI's live view): the invocation log then leaves them out. */
  readonly showsTaskLog?: boolean;
  write(record: TelemetryRecord): void;
  flush?(): Promise<void>;
  shutdown?(): Promise<void>;
}
