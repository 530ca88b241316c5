// on_success / on_failure / on_retry callbacks (task and DAG level), registered by name so the
// compiled DAG stays plain data. Like Airflow's, a callback that throws is logged, not raised.

export interface CallbackInfo {
  dagId: string;
  runId: string;
  /** null for a DAG-level callback. */
  taskId: string | null;
  mapIndex?: number;
  state: string;
  reason: string | null;
}

export type Callback = (info: CallbackInfo, log: (message: string) => void) => void | Promise<void>;

const callbacks = new Map<string, Callback>();

export function registerCallback(name: string, fn: Callback): void {
  if (callbacks.has(name) && callbacks.get(name) !== fn) throw new Error(`Callback '${name}' is registered twice.`);
  callbacks.set(name, fn);
}

export function getCallback(name: string): Callback | undefined {
  return callbacks.get(name);
}
