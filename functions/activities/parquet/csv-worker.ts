// The CSV side of parquetize in a worker thread: while the main thread encodes row group k into
// Parquet (WebAssembly, single-threaded), this thread parses row group k+1, so a conversion uses
// two cores as pyarrow's does. Input bytes arrive on request (the main thread reads only what was
// asked for); each row group leaves as Arrow IPC bytes whose buffer is transferred, not copied,
// and the next one is parsed only once the main thread has taken it (one row group ahead at most).
import { parentPort, workerData } from "node:worker_threads";
import * as arrow from "apache-arrow";
import { csvBatches, type CsvBatchOptions, type CsvProgress } from "./csv-batches";

export type ToWorker = { type: "chunk"; data: Uint8Array } | { type: "end" } | { type: "take" };
export type FromWorker =
  | { type: "more"; lines: number }
  | { type: "batch"; ipc: Uint8Array; rows: number }
  | { type: "done"; rows: number; lines: number }
  | { type: "error"; name: string; message: string };

function run(port: NonNullable<typeof parentPort>, options: CsvBatchOptions): void {
  const chunks: Uint8Array[] = [];
  let ended = false;
  let wakeInput: (() => void) | null = null;
  let credits = 1;
  let wakeOutput: (() => void) | null = null;
  port.on("message", (m: ToWorker) => {
    if (m.type === "chunk") chunks.push(m.data);
    else if (m.type === "end") ended = true;
    else credits++;
    if (m.type === "take") wakeOutput?.();
    else wakeInput?.();
  });
  const progress: CsvProgress = { rows: 0, lines: 0 };
  const input = (async function* (): AsyncGenerator<Uint8Array> {
    for (;;) {
      if (!chunks.length && !ended) {
        port.postMessage({ type: "more", lines: progress.lines } satisfies FromWorker);
        await new Promise<void>((resolve) => (wakeInput = resolve));
        wakeInput = null;
      }
      if (chunks.length) yield chunks.shift()!;
      else if (ended) return;
    }
  })();
  (async () => {
    for await (const batch of csvBatches(input, options, progress)) {
      while (credits <= 0) {
        await new Promise<void>((resolve) => (wakeOutput = resolve));
        wakeOutput = null;
      }
      credits--;
      const ipc = arrow.tableToIPC(batch, "stream");
      port.postMessage({ type: "batch", ipc, rows: batch.numRows } satisfies FromWorker, [ipc.buffer as ArrayBuffer]);
    }
    port.postMessage({ type: "done", rows: progress.rows, lines: progress.lines } satisfies FromWorker);
  })().catch((err: Error) => port.postMessage({ type: "error", name: err.name, message: err.message } satisfies FromWorker));
}

if (parentPort) run(parentPort, workerData as CsvBatchOptions);
