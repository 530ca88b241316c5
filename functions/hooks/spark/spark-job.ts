// What a Spark job is, whatever runs it: Airflow's SparkSubmitOperator arguments, plus the
// environment the job gets. `secretEnv` holds resolved connections: it lives only inside the
// submitting activity and reaches the job through its environment or a file only it reads.

export interface SparkJobSpec {
  /** A PySpark file (or a jar) with its arguments. */
  application: string;
  applicationArgs: string[];
  name: string;
  conf: Record<string, string>;
  jars: string[];
  packages: string[];
  pyFiles: string[];
  files: string[];
  driverMemory?: string;
  driverCores?: number;
  executorMemory?: string;
  executorCores?: number;
  numExecutors?: number;
  /** Plain settings for the job (Airflow's env_vars): may appear in logs. */
  envVars: Record<string, string>;
  /** Secrets (AIRFLOW_CONN_* of the connections the job uses): never in arguments, conf or logs. */
  secretEnv: Record<string, string>;
}

/**
 * Where a submitted job can be found again, from any worker: plain data, no secret. It is kept
 * in orchestration history (the follow-up's config) and on the task instance in the ledger.
 */
export type SparkJobHandle =
  | { backend: "local"; pid: number; logFile: string; exitFile: string; master: string; submittedAt: string }
  | { backend: "livy"; batchId: number; url: string; secretsFile?: string; submittedAt: string };

export type SparkJobState = "running" | "success" | "failed" | "cancelled";

export interface SparkJobStatus {
  state: SparkJobState;
  /** The backend's own word for it (Livy state, exit code). */
  detail: string;
}

export interface SparkBackend {
  submit(spec: SparkJobSpec): Promise<SparkJobHandle>;
  status(handle: SparkJobHandle): Promise<SparkJobStatus>;
  /** The last lines of the driver's log, for the task's error and log. */
  logTail(handle: SparkJobHandle, lines: number): Promise<string[]>;
  /** Stops the job; a job already finished is left as it is. */
  cancel(handle: SparkJobHandle): Promise<SparkJobStatus>;
}
