// The log of one task attempt. Every line an attempt emits goes through one AttemptLogger, which
// masks secrets, formats the line as Airflow's task log does, and hands it to each sink:
//   - the Functions log (the invocation's logger: App Service / Application Insights traces),
//   - the task-log blob, one per try at Airflow's remote-log path, which the REST API serves.
// A sink is anything with write() and close(); add one by passing it to openAttemptLog's caller.
import type { InvocationContext } from "@azure/functions";
import type { ContainerClient } from "@azure/storage-blob";
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

/** Lines go out in batches well under a block's size limit, at least every couple of seconds. */
const MAX_BATCH_BYTES = 1024 * 1024;
const FLUSH_INTERVAL_MS = 2000;

/** A block blob write, creating the log container the first time it is missing. */
async function intoContainer(container: ContainerClient, write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (err) {
    if ((err as { statusCode?: number; code?: string }).code !== "ContainerNotFound") throw err;
    await container.createIfNotExists();
    await write();
  }
}

/** Final log writes still on their way (see blobLogSink). */
const finalWrites = new Set<Promise<void>>();

/** Resolves once every task log this process closed is in blob storage (tests, shutdown). */
export async function flushTaskLogs(): Promise<void> {
  while (finalWrites.size) await Promise.all([...finalWrites]);
}

/**
 * The attempt's blob in the log container. An attempt that ends within a couple of seconds costs
 * one upload; a longer one stages its lines as blocks every couple of seconds and commits them,
 * so a running attempt's log can be read. The last write goes out after the attempt returns, as
 * Airflow uploads a task's remote log when the task exits: a chain of short tasks does not wait a
 * storage round trip per task. A failing write is reported once through `report` and never fails
 * the task.
 */
let logContainerClient: ContainerClient | undefined;

/** One client for the process: building a service client per attempt costs more than the upload. */
function logContainerOf(): ContainerClient {
  logContainerClient ??= appBlobService().getContainerClient(appConfig().logContainer);
  return logContainerClient;
}

export function blobLogSink(attempt: AttemptRef, report: (message: string) => void): TaskLogSink {
  const container = logContainerOf();
  const logContainer = container.containerName;
  const blob = container.getBlockBlobClient(taskLogPath(attempt));
  const headers = { blobHTTPHeaders: { blobContentType: "text/plain; charset=utf-8" } };
  const blocks: string[] = [];
  let pending: string[] = [];
  let pendingBytes = 0;
  let chain: Promise<void> = Promise.resolve();
  let failed = false;
  let timer: NodeJS.Timeout | undefined;

  const flush = (final: boolean): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (!pending.length) return chain;
    const body = pending.join("");
    pending = [];
    pendingBytes = 0;
    chain = chain.then(async () => {
      if (failed) return;
      try {
        const bytes = Buffer.byteLength(body);
        if (final && blocks.length === 0) {
          await intoContainer(container, () => blob.upload(body, bytes, headers));
          return;
        }
        const id = Buffer.from(String(blocks.length).padStart(8, "0")).toString("base64");
        await intoContainer(container, () => blob.stageBlock(id, body, bytes));
        blocks.push(id);
        await blob.commitBlockList(blocks, headers);
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
      if (pendingBytes >= MAX_BATCH_BYTES) void flush(false);
      else timer ??= setTimeout(() => void flush(false), FLUSH_INTERVAL_MS);
    },
    close: async () => {
      const last = flush(true);
      finalWrites.add(last);
      void last.finally(() => finalWrites.delete(last));
    },
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
