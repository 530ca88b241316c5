// The log of one task attempt. Every line is masked, stamped with the task-instance key (dag_id,
// run_id, task_id, try_number, map_index) and the invocation's trace context, and handed as a
// structured record to the telemetry sinks (Application Insights, .local/logs, and whatever sink
// is added later). Without Application Insights each line also goes to the invocation's log,
// which is the console of `func start` and of the local runtime.
import type { InvocationContext } from "@azure/functions";
import { maskSecrets } from "../hooks/secret-mask";
import type { LogLevel, TaskDimensions, TaskLogRecord, TelemetrySink } from "../telemetry/records";
import { emitRecord, sendsToAppInsights, telemetrySinks } from "../telemetry/sinks";

export interface TaskLogger {
  readonly dimensions: TaskDimensions;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** `[dag.task[2] (operator) try 1]`: the prefix console lines carry, as before records existed. */
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
 * A logger for one attempt. Throws a SettingsError naming the setting when a telemetry setting
 * is malformed, so the attempt fails with that message before it does anything.
 */
export function createTaskLogger(dimensions: TaskDimensions, operator: string, invocation: InvocationContext): TaskLogger {
  const sinks = sendsToAppInsights() ? telemetrySinks() : [...telemetrySinks(), invocationSink(invocation)];
  const traceParent = invocation.traceContext?.traceParent ?? undefined;
  const write = (level: LogLevel, message: string): void => {
    const record: TaskLogRecord = {
      kind: "log", time: new Date().toISOString(), level, message: maskSecrets(message), dimensions, operator, traceParent,
    };
    emitRecord(record, sinks);
  };
  return {
    dimensions,
    info: (message) => write("info", message),
    warn: (message) => write("warning", message),
    error: (message) => write("error", message),
  };
}
