// The secrets the app's settings hold, registered with the masker before any task code runs, so
// that task code printing a connection it never resolved through a hook (or `$AIRFLOW_CONN_...`
// from a shell, or a storage connection string) is masked in a fresh process too. The process
// environment is read once: the Functions host fixes the settings for a process's life, and
// listing an environment of 10,000 connections costs a fifth of a second, too much per task. A
// connection set later is registered when getConnection() resolves it.
import { ConnectionError, parseConnectionSetting } from "./connection";
import { isSensitiveKey, registerConnectionSecrets, registerSecret, registerStorageKeys } from "./secret-mask";

const CONN_PREFIX = "AIRFLOW_CONN_";
const VAR_PREFIX = "AIRFLOW_VAR_";

/** Setting name -> the value registered for it. */
const registered = new Map<string, string>();
let processEnvRead = false;

function registerConnectionSetting(connId: string, raw: string): void {
  try {
    const conn = parseConnectionSetting(connId, raw);
    registerConnectionSecrets(conn);
    if (conn.password !== null) registerSecret(raw.trim());
  } catch (err) {
    if (!(err instanceof ConnectionError)) throw err;
    // A setting that does not parse fails the task that uses it; until then it is masked whole.
    registerSecret(raw.trim());
  }
}

/**
 * Registers every connection's secrets, sensitive Variables and storage keys the environment
 * holds: the process environment on the first call only, any other set of settings every time.
 */
export function registerSettingsSecrets(env: NodeJS.ProcessEnv = process.env): void {
  if (env === process.env) {
    if (processEnvRead) return;
    processEnvRead = true;
  }
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === "" || registered.get(name) === value) continue;
    registered.set(name, value);
    if (name.startsWith(CONN_PREFIX)) registerConnectionSetting(name.slice(CONN_PREFIX.length).toLowerCase(), value);
    else if (name.startsWith(VAR_PREFIX) && isSensitiveKey(name.slice(VAR_PREFIX.length))) registerSecret(value);
    // AzureWebJobsStorage and other connection strings: their account keys.
    else if (/AccountKey=|SharedAccessSignature=|SharedAccessKey=|[?&]sig=/i.test(value)) registerStorageKeys(value);
  }
}

/** For tests: read every setting, and the process environment, again on the next call. */
export function forgetRegisteredSettings(): void {
  registered.clear();
  processEnvRead = false;
}
