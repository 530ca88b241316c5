// Parquet in and out with parquet-wasm (the Rust arrow/parquet crates compiled to WebAssembly):
// row groups of Arrow data stream into a Parquet byte stream, and a Parquet file in Blob Storage
// is read one row group at a time through ranged reads, so neither side holds a whole file.
import * as arrow from "apache-arrow";
import { Compression, ParquetFile, Table as WasmTable, transformParquetStream, WriterPropertiesBuilder } from "parquet-wasm";

export const PARQUET_MAGIC = "PAR1";

export interface ParquetBytes {
  bytes: ReadableStream<Uint8Array>;
  /**
   * Why the source stopped early, or null. An error cannot cross into the WebAssembly writer (it
   * reaches it as an opaque "Dyn casting error"), so the source closes and the reader of `bytes`
   * must fail with this instead of finishing the file.
   */
  failure(): unknown;
}

/** Parquet bytes, one row group per table (or Arrow IPC stream) the source yields (Snappy, as pandas and pyarrow write by default). */
export async function parquetByteStream(
  batches: AsyncIterator<arrow.Table | Uint8Array>, rowGroupRows: number, options: { plainColumns?: readonly string[] } = {},
): Promise<ParquetBytes> {
  let failure: unknown = null;
  // The writer needs a first batch (its schema); a source that fails before it fails here, plainly.
  let first: IteratorResult<arrow.Table | Uint8Array> | null = await batches.next();
  if (first.done) throw new Error("no row group to write: the source yielded no batch");
  const source = new ReadableStream({
    async pull(controller) {
      let next: IteratorResult<arrow.Table | Uint8Array>;
      try {
        next = first ?? (await batches.next());
        first = null;
      } catch (err) {
        failure = err;
        return controller.close();
      }
      if (next.done) return controller.close();
      // Arrow IPC is how a table crosses into WebAssembly memory (a worker may have serialised it already).
      const ipc = next.value instanceof Uint8Array ? next.value : arrow.tableToIPC(next.value, "stream");
      for (const rb of WasmTable.fromIPCStream(ipc).recordBatches()) controller.enqueue(rb);
    },
    async cancel() {
      await batches.return?.(undefined);
    },
  }, { highWaterMark: 0 });
  let builder = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy("azflow parquetize (parquet-wasm)");
  // Columns of nearly unique values (a month of second-resolution times): a dictionary would fill,
  // be dropped and cost time; written plain they are faster to encode and smaller.
  for (const column of options.plainColumns ?? []) builder = builder.setColumnDictionaryEnabled(column, false);
  const props = builder.build();
  const bytes = (await transformParquetStream(source, props)) as ReadableStream<Uint8Array>;
  return { bytes, failure: () => failure };
}

/** What ParquetFile.fromFile needs of a Blob: a size and ranged reads. */
export interface RangeSource {
  size: number;
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface ParquetRowGroups {
  numRowGroups: number;
  numRows: number;
  /** One row group as an Arrow JS table. */
  rowGroup(index: number, columns?: string[]): Promise<arrow.Table>;
  close(): void;
}

export async function openParquet(source: RangeSource): Promise<ParquetRowGroups> {
  const blobLike = {
    size: source.size,
    slice(start: number, end: number) {
      return {
        async arrayBuffer() {
          const bytes = await source.read(start, end - start);
          return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
        },
      };
    },
  };
  const file = await ParquetFile.fromFile(blobLike as unknown as Blob);
  const meta = file.metadata();
  return {
    numRowGroups: meta.numRowGroups(),
    numRows: Number(meta.fileMetadata().numRows()),
    async rowGroup(index, columns) {
      const table = await file.read({ rowGroups: [index], columns, batchSize: 65536 });
      return arrow.tableFromIPC(table.intoIPCStream());
    },
    close: () => file.free(),
  };
}
