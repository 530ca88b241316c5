// The parquetize code path, shared by the operator and bench/parquet: CSV bytes (plain or gzip,
// detected from the first bytes) or an existing Parquet file, out as Parquet in typed row groups.
import { Readable, Transform, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { createGunzip } from "node:zlib";
import type * as arrow from "apache-arrow";
import { columnBuilder, type ColumnSpec, finishBatch } from "./columns";
import { CsvInputError, type CsvProgress } from "./csv-batches";
import { csvBatchesThreaded } from "./csv-batches-threaded";
import { openParquet, parquetByteStream, type RangeSource } from "./parquet-io";

export type SourceFormat = "csv" | "csv.gz" | "parquet";

export function detectFormat(head: Uint8Array): SourceFormat {
  if (head[0] === 0x1f && head[1] === 0x8b) return "csv.gz";
  if (Buffer.from(head.subarray(0, 4)).toString("latin1") === "PAR1") return "parquet";
  return "csv";
}

export interface ConvertResult {
  rows: number;
  rowGroups: number;
  bytes: number;
}

async function writeParquet(
  batches: AsyncGenerator<arrow.Table | Uint8Array>, columns: readonly ColumnSpec[], rowGroupRows: number, sink: Writable,
): Promise<{ rowGroups: number; bytes: number }> {
  let rowGroups = 0;
  let bytes = 0;
  const counted = (async function* () {
    for await (const batch of batches) {
      rowGroups++;
      yield batch;
    }
  })();
  const parquet = await parquetByteStream(counted, rowGroupRows, { plainColumns: columns.filter((c) => c.type === "timestamp").map((c) => c.name) });
  const out = Readable.fromWeb(parquet.bytes as unknown as WebReadableStream<Uint8Array>);
  // The file's last bytes are held back when the source failed: the sink errors instead of ending.
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      done(null, chunk);
    },
    flush(done) {
      const failure = parquet.failure();
      done(failure ? (failure as Error) : null);
    },
  });
  await pipeline(out, guard, sink);
  return { rowGroups, bytes };
}

/** CSV or gzip CSV bytes to Parquet bytes written to `sink`. */
export async function csvToParquet(
  input: Readable, format: "csv" | "csv.gz", sink: Writable,
  options: { columns: readonly ColumnSpec[]; rowGroupRows: number; source: string },
): Promise<ConvertResult> {
  const progress: CsvProgress = { rows: 0, lines: 0 };
  let bytesIn: Readable = input;
  if (format === "csv.gz") {
    const gunzip = createGunzip();
    // Errors of either side surface where the CSV reader iterates.
    pipeline(input, gunzip).catch(() => undefined);
    bytesIn = gunzip;
  }
  // Parsing runs in a worker thread, one row group ahead of the Parquet encoding here.
  const { rowGroups, bytes } = await writeParquet(csvBatchesThreaded(bytesIn, options, progress), options.columns, options.rowGroupRows, sink);
  return { rows: progress.rows, rowGroups, bytes };
}

/** A Parquet file (e.g. the TLC's own) rewritten to the given columns and types, one row group at a time. */
export async function parquetToParquet(
  input: RangeSource, sink: Writable,
  options: { columns: readonly ColumnSpec[]; rowGroupRows: number; source: string },
): Promise<ConvertResult> {
  const file = await openParquet(input);
  let rows = 0;
  try {
    const builders = options.columns.map((c) => columnBuilder(c, options.rowGroupRows));
    const batches = async function* (): AsyncGenerator<arrow.Table> {
      for (let g = 0; g < file.numRowGroups; g++) {
        const table = await file.rowGroup(g);
        for (const b of builders) {
          if (!table.getChild(b.spec.name)) throw new CsvInputError(`${options.source}: row group ${g} has no column '${b.spec.name}'.`);
        }
        // Row groups of the source may be larger than ours: cut them.
        for (let start = 0; start < table.numRows; start += options.rowGroupRows) {
          const end = Math.min(table.numRows, start + options.rowGroupRows);
          for (const b of builders) {
            const column = table.getChild(b.spec.name)!;
            for (let i = start; i < end; i++) b.pushValue(column.get(i));
          }
          rows += end - start;
          yield finishBatch(builders);
        }
      }
    };
    const { rowGroups, bytes } = await writeParquet(batches(), options.columns, options.rowGroupRows, sink);
    return { rows, rowGroups, bytes };
  } finally {
    file.close();
  }
}
