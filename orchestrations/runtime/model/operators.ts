import type { JsonValue } from "./json";
import { operator, OperatorRef } from "./operator";
import type { XComRef } from "./xcom-ref";

// What DAG files call to configure a task: one constructor per operator, with Airflow's argument
// names so a port reads like the original. Each activity validates its config again at run time.
// Any string field may hold a template ({{ ds }}); any value may be an upstream's output (XComRef).

type Templated<T> = T | XComRef;
type Params = Record<string, unknown>;

/** EmptyOperator: succeeds without running anything. */
export function empty(): OperatorRef {
  return operator("empty", {});
}

/**
 * BashOperator: the last line of output is the XCom; exit code 99 skips. The command gets the worker's environment without its AIRFLOW_CONN_* and
 * AIRFLOW_VAR_* settings, plus the AIRFLOW_CTX_* context; `connections` names the connections
 * whose AIRFLOW_CONN_<ID> it does get.
 */
export function bash(config: { command: string; env?: Record<string, string>; append_env?: boolean; connections?: string[]; cwd?: string; skip_on_exit_code?: number | number[] }): OperatorRef {
  return operator("bash", config);
}

/** PythonOperator: a TypeScript function registered with registerCallable(name, fn). */
export function python(callable: string, kwargs: Params = {}): OperatorRef {
  return operator("python", { callable, kwargs });
}

/** SQLExecuteQueryOperator: inline statements or a SQL file, psycopg2-style bound parameters. */
export function sql(config: { conn_id?: string; sql?: string | string[]; file?: string; parameters?: Templated<JsonValue>; split_statements?: boolean }): OperatorRef {
  return operator("sql", config);
}

/** SqlSensor: done when the first cell of the first row is truthy. */
export function sqlSensor(config: { conn_id?: string; sql: string; parameters?: Templated<JsonValue>; fail_on_empty?: boolean }): OperatorRef {
  return operator("sql_sensor", config);
}

/** HttpOperator: the response body (parsed JSON when JSON) is the XCom. */
export function http(config: { conn_id?: string; endpoint?: string; method?: string; data?: Templated<JsonValue>; headers?: Record<string, string>; max_bytes?: number }): OperatorRef {
  return operator("http", config);
}

/** HttpSensor: done on 2xx; 404 means not yet. */
export function httpSensor(config: { conn_id?: string; endpoint?: string; method?: string; headers?: Record<string, string>; not_ready_statuses?: number[] }): OperatorRef {
  return operator("http_sensor", config);
}

export function blobCreateContainers(config: { conn_id?: string; containers: string[] }): OperatorRef {
  return operator("blob_create_containers", config);
}

export function blobUpload(config: { conn_id?: string; container: string; blob: string; data?: Templated<JsonValue>; file?: string; overwrite?: boolean }): OperatorRef {
  return operator("blob_upload", config);
}

export function blobList(config: { conn_id?: string; container: string; prefix?: string | string[] }): OperatorRef {
  return operator("blob_list", config);
}

/** Server-side copy; `dest_prefix` instead of `dest_blob` keeps the source's name under the prefix (for mapped copies). */
export function blobCopy(config: { conn_id?: string; source_container: string; source_blob?: Templated<string>; dest_container: string; dest_blob?: Templated<string>; dest_prefix?: string }): OperatorRef {
  return operator("blob_copy", config);
}

/** Copy, verify (copy status, size, MD5), then delete the source: a rerun after a crash finishes the move. */
export function blobMove(config: { conn_id?: string; source_container: string; source_blob?: Templated<string>; dest_container: string; dest_blob?: Templated<string>; dest_prefix?: string }): OperatorRef {
  return operator("blob_move", config);
}

/** WasbPrefixSensor: done when a blob exists under the prefix. */
export function blobPrefixSensor(config: { conn_id?: string; container: string; prefix: string }): OperatorRef {
  return operator("blob_prefix_sensor", config);
}

/** COPY a CSV blob into a table as a stream; each blob version loads once. */
export function postgresCopy(config: { conn_id?: string; table: string; columns?: string[]; blob_conn_id?: string; container: string; blob?: Templated<string>; delimiter?: string; header?: boolean; conflict_keys?: string[] }): OperatorRef {
  return operator("postgres_copy", config);
}

export function kafkaProduce(config: { conn_id?: string; topic: string; messages?: Templated<JsonValue[]>; generator?: string; generator_args?: Params; key_field?: string; batch_size?: number }): OperatorRef {
  return operator("kafka_produce", config);
}

export function triggerDagRun(config: {
  trigger_dag_id: string; trigger_run_id?: string; conf?: Params; logical_date?: string; reset_dag_run?: boolean;
  wait_for_completion?: boolean; poke_interval?: number; allowed_states?: string[]; failed_states?: string[]; skip_when_already_exists?: boolean;
}): OperatorRef {
  return operator("trigger_dag_run", config);
}

export function externalTaskSensor(config: {
  external_dag_id: string; external_task_id?: string; external_task_ids?: string[]; allowed_states?: string[];
  failed_states?: string[]; skipped_states?: string[]; execution_delta?: number | string;
}): OperatorRef {
  return operator("external_task_sensor", config);
}

/** TimeDeltaSensor: waits until data_interval_end + delta, on a durable timer. */
export function timeDeltaSensor(config: { delta: number | string }): OperatorRef {
  return operator("time_delta_sensor", config);
}

/** HTTP GET streamed into a block blob (no local file); non-2xx fails and stores nothing. */
export function httpToBlob(config: { conn_id?: string; endpoint?: string; data?: Templated<JsonValue>; headers?: Record<string, string>; blob_conn_id?: string; container: string; blob: string }): OperatorRef {
  return operator("http_to_blob", config);
}

export type ParquetColumnType = "int32" | "int64" | "float64" | "string" | "timestamp";

/** CSV, gzip CSV or Parquet blob to a Parquet blob with these columns and types, in row groups. */
export function parquetize(config: {
  conn_id?: string; container: string; blob: Templated<string>; dest_container?: string; dest_blob: string;
  columns: { name: string; type: ParquetColumnType }[]; row_group_rows?: number;
}): OperatorRef {
  return operator("parquetize", config);
}

/** Load a Parquet blob into a table, replacing the rows of one partition value, in one transaction. */
export function postgresLoadParquet(config: {
  conn_id?: string; blob_conn_id?: string; container: string; blob: Templated<string>; table: string;
  partition: { column: string; value: string }; setup_file?: string;
}): OperatorRef {
  return operator("postgres_load_parquet", config);
}

/** JSON lines blob into a table by COPY: every line checked, constants tag the rows, `replace` reloads them. */
export function postgresCopyJson(config: {
  conn_id?: string; blob_conn_id?: string; container: string; blob: Templated<string>; table: string;
  columns: Record<string, string>; required?: string[]; constants?: Record<string, string>; replace?: string[];
}): OperatorRef {
  return operator("postgres_copy_json", config);
}

/** SQLCheckOperator: each query's first row must be all truthy; failures are listed by description. */
export function sqlCheck(config: { conn_id?: string; checks: { description: string; sql: string; parameters?: Templated<JsonValue> }[] }): OperatorRef {
  return operator("sql_check", config);
}

/**
 * A branch that follows `follow` unless `task_id` (of `dag_id`, default this DAG) already succeeded
 * today, and `otherwise` when it did (seed 000's "trigger a task once per day"). The day is UTC
 * unless `timezone` names an IANA zone.
 */
export function oncePerDayBranch(config: { task_id: string; follow: string | string[]; otherwise?: string | string[]; dag_id?: string; timezone?: string }): OperatorRef {
  return operator("once_per_day_branch", config);
}

/**
 * Drains a Kafka topic in micro-batches into Postgres (`sink: "postgres"`, `table`) or into batch
 * files in Blob Storage (`sink: "blob"`, `container`, `prefix`, `format` json|csv|parquet).
 * Messages are checked against a registered record `schema`; invalid ones go to the dead-letter.
 */
export function kafkaLoad(config: {
  conn_id?: string; topic: string; group_id?: string; schema: string; sink?: string; postgres_conn_id?: string; table?: string;
  blob_conn_id?: string; container?: string; prefix?: string; format?: string; dead_letter_container: string; dead_letter_prefix?: string;
  max_batch_records?: number | string; max_batch_bytes?: number | string; max_batch_wait_ms?: number | string; max_record_bytes?: number | string;
  /** "functions" (default) or "spark": the same load as the PySpark job given in `spark` (a sparkSubmit config). */
  loader?: string; spark?: unknown; output_path?: string; checkpoint_location?: string;
}): OperatorRef {
  return operator("kafka_load", config);
}

/**
 * SparkSubmitOperator: submits the job and returns; the orchestrator then checks it on durable
 * timers every `poke_interval` seconds until it ends. `conn_ids` are connections the job receives
 * as AIRFLOW_CONN_<ID> in its environment (or a file only it reads), never in its arguments.
 */
export function sparkSubmit(config: {
  conn_id?: string; application: string; application_args?: Templated<string[]> | string[]; conf?: Record<string, string | number | boolean>;
  jars?: string[]; packages?: string[]; py_files?: string[]; files?: string[]; name?: string;
  driver_memory?: string; driver_cores?: number; executor_memory?: string; executor_cores?: number; num_executors?: number;
  env_vars?: Record<string, string>; conn_ids?: string[]; poke_interval?: number; log_tail_lines?: number;
}): OperatorRef {
  return operator("spark_submit", config);
}
