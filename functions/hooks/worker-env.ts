// The worker's environment as a process it starts gets it (a bash command, a local spark-submit):
// without the AIRFLOW_CONN_* and AIRFLOW_VAR_* settings. They are secrets, and thousands of
// connections would not even fit in a child's environment (spawn E2BIG); a process gets only the
// connections its task names.
const SECRET_SETTINGS = /^AIRFLOW_(CONN|VAR)_/;

/** The worker's environment without connection and Variable settings. */
export function workerEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && !SECRET_SETTINGS.test(name)) out[name] = value;
  return out;
}
