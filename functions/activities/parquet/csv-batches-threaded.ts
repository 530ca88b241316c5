// csvBatches run in a worker thread (csv-worker.ts): the same row groups, as Arrow IPC bytes, with
// the same errors, while the caller's thread is free to encode the previous row group.
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { CsvBatchOptions, CsvProgress } from "./csv-batches";
import { CsvInputError } from "./csv-batches";
import type { FromWorker, ToWorker } from "./csv-worker";

export async function* csvBatchesThreaded(input: AsyncIterable<Uint8Array>, options: CsvBatchOptions, progress: CsvProgress = { rows: 0, lines: 0 }): AsyncGenerator<Uint8Array> {
  const worker = new Worker(path.join(__dirname, "csv-worker.js"), { workerData: { ...options, columns: [...options.columns] } });
  const inbox: FromWorker[] = [];
  let wake: (() => void) | null = null;
  let crashed: Error | null = null;
  worker.on("message", (m: FromWorker) => {
    inbox.push(m);
    wake?.();
  });
  worker.on("error", (err) => {
    crashed = err;
    wake?.();
  });
  const source = input[Symbol.asyncIterator]();
  const send = (m: ToWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(m, transfer);
  try {
    for (;;) {
      if (!inbox.length && !crashed) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      if (crashed) throw crashed;
      const m = inbox.shift()!;
      if (m.type === "more") {
        progress.lines = m.lines;
        // Reading the input here keeps its stream (and its errors) on the caller's thread.
        let next: IteratorResult<Uint8Array>;
        try {
          next = await source.next();
        } catch (err) {
          throw new CsvInputError(`${options.source}: reading stopped after line ${progress.lines}: ${(err as Error).message}`);
        }
        if (next.done) send({ type: "end" });
        else {
          // A copy the worker owns: the input may reuse or pool its buffer.
          const data = new Uint8Array(next.value);
          send({ type: "chunk", data }, [data.buffer]);
        }
      } else if (m.type === "batch") {
        progress.rows += m.rows;
        yield m.ipc;
        send({ type: "take" });
      } else if (m.type === "done") {
        progress.rows = m.rows;
        progress.lines = m.lines;
        return;
      } else {
        throw m.name === "CsvInputError" ? new CsvInputError(m.message) : new Error(m.message);
      }
    }
  } finally {
    await worker.terminate();
    await source.return?.();
  }
}
