// A batch as a file: JSON lines, pipe-delimited CSV with a header, or Parquet (parquet-wasm
// writing an Arrow table built with apache-arrow). A batch is bounded in rows and bytes, so a
// file is too; files are produced in chunks for the upload stream.
import type * as Arrow from "apache-arrow";
import type { Vector } from "apache-arrow";
import type * as ParquetWasm from "parquet-wasm/node/parquet_wasm";
import type { CellValue, ColumnSpec } from "./record-schema";

let libraries: { arrow: typeof Arrow; parquet: typeof ParquetWasm } | undefined;

/**
 * Arrow and parquet-wasm, loaded with the first Parquet batch rather than with the app (they are a
 * good part of its start-up). parquet-wasm's node build is exported only under "./node", which
 * this project's module resolution cannot see; its types come from the same file.
 */
function parquetLibraries(): { arrow: typeof Arrow; parquet: typeof ParquetWasm } {
  /* eslint-disable @typescript-eslint/no-require-imports */
  libraries ??= { arrow: require("apache-arrow") as typeof Arrow, parquet: require("parquet-wasm/node") as typeof ParquetWasm };
  /* eslint-enable @typescript-eslint/no-require-imports */
  return libraries;
}

export const FILE_FORMATS = ["json", "csv", "parquet"] as const;
export type FileFormat = (typeof FILE_FORMATS)[number];

export interface FileColumn {
  name: string;
  type: ColumnSpec["type"] | "bigint";
}

function* chunks(lines: Iterable<string>): Generator<Buffer> {
  let chunk = "";
  for (const line of lines) {
    chunk += line;
    if (chunk.length >= 256 * 1024) {
      yield Buffer.from(chunk);
      chunk = "";
    }
  }
  if (chunk) yield Buffer.from(chunk);
}

function* jsonLines(columns: readonly FileColumn[], rows: CellValue[][]): Generator<string> {
  for (const row of rows) {
    const obj: Record<string, CellValue> = {};
    columns.forEach((c, i) => (obj[c.name] = row[i]));
    yield JSON.stringify(obj) + "\n";
  }
}

function csvCell(value: CellValue): string {
  if (value === null) return "";
  const text = String(value);
  return /[|"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function* csvLines(columns: readonly FileColumn[], rows: CellValue[][]): Generator<string> {
  yield columns.map((c) => c.name).join("|") + "\n";
  for (const row of rows) yield row.map(csvCell).join("|") + "\n";
}

function arrowColumn(column: FileColumn, values: CellValue[]): Vector {
  const { Int32, Int64, Utf8, makeVector, vectorFromArray } = parquetLibraries().arrow;
  switch (column.type) {
    case "int":
      return vectorFromArray(values as (number | null)[], new Int32());
    case "bigint":
      return makeVector({ type: new Int64(), data: BigInt64Array.from(values as number[], (v) => BigInt(v)) });
    default:
      return vectorFromArray(values as (string | null)[], new Utf8());
  }
}

function parquetFile(columns: readonly FileColumn[], rows: CellValue[][]): Buffer {
  const { arrow: { Table, tableToIPC }, parquet } = parquetLibraries();
  const vectors: Record<string, Vector> = {};
  columns.forEach((c, i) => (vectors[c.name] = arrowColumn(c, rows.map((r) => r[i]))));
  const ipc = tableToIPC(new Table(vectors), "stream");
  const wasmTable = parquet.Table.fromIPCStream(ipc);
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build();
  return Buffer.from(parquet.writeParquet(wasmTable, props));
}

/** The file's bytes, in chunks. */
export function encodeBatch(format: FileFormat, columns: readonly FileColumn[], rows: CellValue[][]): Iterable<Buffer> {
  switch (format) {
    case "json": return chunks(jsonLines(columns, rows));
    case "csv": return chunks(csvLines(columns, rows));
    case "parquet": return [parquetFile(columns, rows)];
  }
}

export function contentType(format: FileFormat): string {
  return format === "json" ? "application/x-ndjson" : format === "csv" ? "text/csv" : "application/vnd.apache.parquet";
}
