// The per-try task log in blob storage, at Airflow's remote-log path, which the REST API serves
// (GET .../taskInstances/{task_id}/logs/{try}). Lines are formatted as Airflow's task log writes
// them. An attempt that ends within a couple of seconds costs one upload; a longer one stages its
// lines as blocks every couple of seconds and commits them, so a running attempt's log can be
// read. The last write goes out after the attempt returns, as Airflow uploads a task's remote log
// when the task exits: a chain of short tasks does not wait a storage round trip per task. A
// failing write is reported once and never fails the task.
import type { ContainerClient } from "@azure/storage-blob";
import { appConfig } from "../config";
import { appBlobService } from "../hooks/app-storage";
import type { TaskDimensions, TaskLogRecord, TelemetrySink } from "../telemetry/records";

/** Airflow's remote task-log path: dag_id=<d>/run_id=<r>/task_id=<t>/[map_index=<i>/]attempt=<n>.log */
export function taskLogPath(a: { dagId: string; runId: string; taskId: string; mapIndex: number; tryNumber: number }): string {
  const mapped = a.mapIndex >= 0 ? `map_index=${a.mapIndex}/` : "";
  return `dag_id=${a.dagId}/run_id=${a.runId}/task_id=${a.taskId}/${mapped}attempt=${a.tryNumber}.log`;
}

const LEVELS = { info: "INFO", warning: "WARNING", error: "ERROR" } as const;

/** A line as Airflow's task log prints it: `[2024-01-01T00:00:00.000+0000] {source} LEVEL - message`. */
export function airflowLogLine(record: TaskLogRecord): string {
  return `[${record.time.replace("Z", "+0000")}] {${record.operator}} ${LEVELS[record.level]} - ${record.message}`;
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

/** Final log writes still on their way. */
const finalWrites = new Set<Promise<void>>();

/** Resolves once every task log this process closed is in blob storage (tests, shutdown). */
export async function flushTaskLogs(): Promise<void> {
  while (finalWrites.size) await Promise.all([...finalWrites]);
}

let logContainerClient: ContainerClient | undefined;

/** One client for the process: building a service client per attempt costs more than the upload. */
function logContainerOf(): ContainerClient {
  logContainerClient ??= appBlobService().getContainerClient(appConfig().logContainer);
  return logContainerClient;
}

/** The sink of one attempt's log blob; `close()` sends what is left. */
export function blobLogSink(d: TaskDimensions, report: (message: string) => void): TelemetrySink & { close(): void } {
  const path = taskLogPath({ dagId: d.dag_id, runId: d.run_id, taskId: d.task_id, mapIndex: d.map_index, tryNumber: d.try_number });
  const container = logContainerOf();
  const blob = container.getBlockBlobClient(path);
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
        report(`task log blob ${container.containerName}/${path} could not be written: ${(err as Error).message}`);
      }
    });
    return chain;
  };

  return {
    name: "task-log-blob",
    write(record) {
      if (record.kind !== "log") return;
      const text = `${airflowLogLine(record)}\n`;
      pending.push(text);
      pendingBytes += Buffer.byteLength(text);
      if (pendingBytes >= MAX_BATCH_BYTES) void flush(false);
      else timer ??= setTimeout(() => void flush(false), FLUSH_INTERVAL_MS);
    },
    close() {
      const last = flush(true);
      finalWrites.add(last);
      void last.finally(() => finalWrites.delete(last));
    },
  };
}
