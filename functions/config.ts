// Settings are read and validated once, so a bad value fails at start-up with one clear line
// naming the setting, instead of deep inside a run.

export type Env = Record<string, string | undefined>;

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SettingsError";
  }
}

export function readString(env: Env, name: string, fallback?: string): string {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") {
    if (fallback !== undefined) return fallback;
    throw new SettingsError(`Setting ${name} is required but not set (see local.settings.example.json).`);
  }
  return raw.trim();
}

export function readInt(env: Env, name: string, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  if (!/^-?\d+$/.test(raw.trim())) {
    throw new SettingsError(`Setting ${name} must be an integer, got '${raw}'.`);
  }
  const value = Number(raw.trim());
  if (value < min || value > max) {
    throw new SettingsError(`Setting ${name} must be between ${min} and ${max}, got ${value}.`);
  }
  return value;
}

export function readPort(env: Env, name: string, fallback: number): number {
  return readInt(env, name, fallback, 1, 65535);
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const v = raw.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(v)) return true;
  if (["0", "false", "no", "off"].includes(v)) return false;
  throw new SettingsError(`Setting ${name} must be true or false, got '${raw}'.`);
}

export function readList(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined) return [];
  return raw.split(",").map((s) => s.trim()).filter((s) => s.length > 0);
}

/** The name rules Azure applies to a Durable task hub: 3-45 alphanumerics, starting with a letter. */
const TASK_HUB = /^[A-Za-z][A-Za-z0-9]{2,44}$/;

export interface AppConfig {
  /** Durable task hub; separate hubs keep environments sharing one storage account apart. */
  taskHub: string;
  /** Results larger than this many bytes are stored in blob storage and passed by reference. */
  xcomInlineMaxBytes: number;
  /** DAG ids whose schedules do not fire (Airflow's paused flag). */
  pausedDags: string[];
  /** Container holding offloaded XComs and other azflow state. */
  stateContainer: string;
  /** Container of task logs, one blob per try in Airflow's remote-log layout. */
  logContainer: string;
  /** REST API request bodies larger than this are refused with 413. */
  apiMaxBodyBytes: number;
}

const CONTAINER_NAME = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

export function loadAppConfig(env: Env = process.env): AppConfig {
  const taskHub = readString(env, "AZFLOW_TASK_HUB", "azflow");
  if (!TASK_HUB.test(taskHub)) {
    throw new SettingsError(
      `Setting AZFLOW_TASK_HUB must be 3-45 letters or digits starting with a letter, got '${taskHub}'.`,
    );
  }
  const stateContainer = readString(env, "AZFLOW_STATE_CONTAINER", "azflow-state");
  if (!CONTAINER_NAME.test(stateContainer)) {
    throw new SettingsError(`Setting AZFLOW_STATE_CONTAINER is not a valid blob container name: '${stateContainer}'.`);
  }
  const logContainer = readString(env, "AZFLOW_LOG_CONTAINER", "airflow-logs");
  if (!CONTAINER_NAME.test(logContainer)) {
    throw new SettingsError(`Setting AZFLOW_LOG_CONTAINER is not a valid blob container name: '${logContainer}'.`);
  }
  return {
    taskHub,
    // At most 24 KiB: inline results are also kept in the ledger, whose text fields hold 32K characters.
    xcomInlineMaxBytes: readInt(env, "AZFLOW_XCOM_INLINE_MAX_BYTES", 16 * 1024, 0, 24 * 1024),
    pausedDags: readList(env, "AZFLOW_PAUSED_DAGS"),
    stateContainer,
    logContainer,
    // The Functions host's own limit (FUNCTIONS_REQUEST_BODY_SIZE_LIMIT) is 100 MB; the API's is lower.
    apiMaxBodyBytes: readInt(env, "AZFLOW_API_MAX_BODY_BYTES", 16 * 1024 * 1024, 1024, 100 * 1024 * 1024),
  };
}

let cached: AppConfig | undefined;

/** The app's settings, read once per process. */
export function appConfig(): AppConfig {
  cached ??= loadAppConfig(process.env);
  return cached;
}
