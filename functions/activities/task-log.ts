// The log of one task attempt. Every line an attempt emits goes through one AttemptLogger, which
// masks secrets, formats the line as Airflow's task log does, and hands it to each sink:
//   - the Functions log (the invocation's logger: App Service / Application Insights traces),
//   - the task-log blob, one per try at Airflow's remote-log path, which the REST API serves.
// A sink is anything with write() and close(); add one by passing it to openAttemptLog's caller.
import type { InvocationContext } from "@azure/functions";
import { appConfig } from "../config";
import { appBlobService } from "../hooks/app-storage";
import { maskSecrets } from "../hooks/secret-mask";

export type LogLevel = "INFO" | "WARNING" | "ERROR";

/** Which attempt a log belongs to. */
export interface AttemptRef {
  dagId: string;
  runId: string;
  taskId: string;
  /** -1 when the task is not mapped. */
  mapIndex: number;
  tryNumber: number;
}

export interface LogLine {
  at: Date;
  level: LogLevel;
  /** Already masked. */
  message: string;
  /** The whole line as Airflow writes it: `[time] {source} LEVEL - message`. */
  text: string;
}

/** Where an attempt's lines go. write() must not throw; close() flushes what is buffered. */
export interface TaskLogSink {
  write(line: LogLine): void;
  close(): Promise<void>;
}

/** Airflow's remote task-log path: dag_id=<d>/run_id=<r>/task_id=<t>/[map_index=<i>/]attempt=<n>.log */
export function taskLogPath(a: AttemptRef): string {
  const mapped = a.mapIndex >= 0 ? `map_index=${a.mapIndex}/` : "";
  return `dag_id=${a.dagId}/run_id=${a.runId}/task_id=${a.taskId}/${mapped}attempt=${a.tryNumber}.log`;
}

/** Python logging's asctime as Airflow's task logs print it: 2024-01-01T00:00:00.000+0000. */
function logTime(at: Date): string {
  return at.toISOString().replace("Z", "+0000");
}

export class AttemptLogger {
  constructor(
    private readonly source: string,
    private readonly sinks: readonly TaskLogSink[],
  ) {}

  log(level: LogLevel, message: string): void {
    const masked = maskSecrets(message);
    const at = new Date();
    const line: LogLine = { at, level, message: masked, text: `[${logTime(at)}] {${this.source}} ${level} - ${masked}` };
    for (const sink of this.sinks) sink.write(line);
  }

  info(message: string): void {
    this.log("INFO", message);
  }

  warn(message: string): void {
    this.log("WARNING", message);
  }

  error(message: string): void {
    this.log("ERROR", message);
  }

  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}

/** The Functions log of the invocation, each line prefixed with the attempt it belongs to. */
export function functionsLogSink(invocation: InvocationContext, prefix: string): TaskLogSink {
  return {
    write(line) {
      const text = `${prefix} ${line.message}`;
      if (line.level === "ERROR") invocation.error(text);
      else if (line.level === "WARNING") invocation.warn(text);
      else invocation.log(text);
    },
    close: async () => undefined,
  };
}

/** Append blocks are at most 4 MiB; lines are sent in batches well under that. */
const MAX_BATCH_BYTES = 1024 * 1024;
const FLUSH_INTERVAL_MS = 2000;

/**
 * The attempt's blob in the log container: an append blob, written in batches every couple of
 * seconds (so a running attempt's log can be read) and at close. A failing write is reported once
 * through `report` and never fails the task.
 */
export function blobLogSink(attempt: AttemptRef, report: (message: string) => void): TaskLogSink {
  const { logContainer } = appConfig();
  const container = appBlobService().getContainerClient(logContainer);
  const blob = container.getAppendBlobClient(taskLogPath(attempt));
  let pending: string[] = [];
  let pendingBytes = 0;
  let chain: Promise<void> = Promise.resolve();
  let created = false;
  let failed = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending.length) return chain;
    const body = pending.join("");
    pending = [];
    pendingBytes = 0;
    chain = chain.then(async () => {
      if (failed) return;
      try {
        if (!created) {
          await container.createIfNotExists();
          // A redelivered attempt appends to what the first delivery wrote.
          await blob.createIfNotExists({ blobHTTPHeaders: { blobContentType: "text/plain; charset=utf-8" } });
          created = true;
        }
        await blob.appendBlock(body, Buffer.byteLength(body));
      } catch (err) {
        failed = true;
        report(`task log blob ${logContainer}/${taskLogPath(attempt)} could not be written: ${(err as Error).message}`);
      }
    });
    return chain;
  };

  return {
    write(line) {
      const text = `${line.text}\n`;
      pending.push(text);
      pendingBytes += Buffer.byteLength(text);
      if (pendingBytes >= MAX_BATCH_BYTES) void flush();
      else timer ??= setTimeout(() => void flush(), FLUSH_INTERVAL_MS);
    },
    close: () => flush(),
  };
}

/** The logger of one attempt with azflow's sinks: the Functions log and the task-log blob. */
export function openAttemptLog(attempt: AttemptRef, operator: string, invocation: InvocationContext): AttemptLogger {
  const where = `${attempt.dagId}.${attempt.taskId}${attempt.mapIndex >= 0 ? `[${attempt.mapIndex}]` : ""} (${operator})`;
  return new AttemptLogger(operator, [
    functionsLogSink(invocation, `[${where} try ${attempt.tryNumber}]`),
    blobLogSink(attempt, (message) => invocation.warn(maskSecrets(message))),
  ]);
}
