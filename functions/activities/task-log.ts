// The log of one task attempt. Every line is masked, stamped with the task-instance key (dag_id,
// run_id, task_id, try_number, map_index) and the invocation's trace context, and handed as a
// structured record to the sinks: the telemetry sinks (Application Insights in Azure,
// .local/logs here), the attempt's own log blob at Airflow's remote-log path (task-log-blob.ts),
// and, without Application Insights, the invocation's log, i.e. the console of the local runtime
// and of `func start` (unless a sink shows the lines already: the CLI's live view).
import { asHostOutput } from "./task-console";
import type { InvocationContext } from "@azure/functions";
import { maskSecrets } from "../hooks/secret-mask";
import type { LogLevel, TaskDimensions, TaskLogRecord, TelemetrySink } from "../telemetry/records";
import { emitRecord, sendsToAppInsights, taskLogShownBySink, telemetrySinks } from "../telemetry/sinks";
import { blobLogSink } from "./task-log-blob";

export interface TaskLogger {
  readonly dimensions: TaskDimensions;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Sends what the attempt's log blob still buffers; call once, when the attempt ends. */
  close(): void;
}

/** `[dag.task[2] (operator) try 1]`: the prefix console lines carry. */
export function taskLinePrefix(d: TaskDimensions, operator: string): string {
  return `[${d.dag_id}.${d.task_id}${d.map_index >= 0 ? `[${d.map_index}]` : ""} (${operator}) try ${d.try_number}]`;
}

/** The invocation's own log as a sink: what a developer sees in the console. */
function invocationSink(invocation: InvocationContext): TelemetrySink {
  return {
    name: "invocation-log",
    write(record) {
      if (record.kind !== "log") return;
      const line = `${taskLinePrefix(record.dimensions, record.operator)} ${record.message}`;
      if (record.level === "error") invocation.error(line);
      else if (record.level === "warning") invocation.warn(line);
      else invocation.log(line);
    },
  };
}

/**
 * A logger for one attempt. `record: false` (`azflow tasks test`) writes no log blob, as Airflow's
 * `tasks test` records nothing. Throws a SettingsError naming the setting when a telemetry setting
 * is malformed, so the attempt fails with that message before it does anything.
 */
export function openTaskLog(dimensions: TaskDimensions, operator: string, invocation: InvocationContext, options: { record: boolean }): TaskLogger {
  const blob = options.record ? blobLogSink(dimensions, (message) => invocation.warn(maskSecrets(message))) : undefined;
  const echo = !sendsToAppInsights() && !taskLogShownBySink();
  const sinks = [...telemetrySinks(), ...(echo ? [invocationSink(invocation)] : []), ...(blob ? [blob] : [])];
  const traceParent = invocation.traceContext?.traceParent ?? undefined;
  const write = (level: LogLevel, message: string): void => {
    const record: TaskLogRecord = {
      kind: "log", time: new Date().toISOString(), level, message: maskSecrets(message), dimensions, operator, traceParent,
    };
    asHostOutput(() => emitRecord(record, sinks));
  };
  return {
    dimensions,
    info: (message) => write("info", message),
    warn: (message) => write("warning", message),
    error: (message) => write("error", message),
    close: () => blob?.close(),
  };
}
