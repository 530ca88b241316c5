// Parquet in and out with parquet-wasm (the Rust arrow/parquet crates compiled to WebAssembly):
// row groups of Arrow data stream into a Parquet byte stream, and a Parquet file in Blob Storage
// is read one row group at a time through ranged reads, so neither side holds a whole file.
import * as arrow from "apache-arrow";
import { Compression, ParquetFile, Table as WasmTable, transformParquetStream, WriterPropertiesBuilder } from "parquet-wasm";

export const PARQUET_MAGIC = "PAR1";

/** Parquet bytes, one row group per table the source yields (Snappy, as pandas and pyarrow write by default). */
export async function parquetByteStream(batches: AsyncIterator<arrow.Table>, rowGroupRows: number): Promise<ReadableStream<Uint8Array>> {
  const source = new ReadableStream({
    async pull(controller) {
      const next = await batches.next();
      if (next.done) return controller.close();
      // Arrow IPC is how a table crosses into WebAssembly memory.
      for (const rb of WasmTable.fromIPCStream(arrow.tableToIPC(next.value, "stream")).recordBatches()) controller.enqueue(rb);
    },
    async cancel() {
      await batches.return?.(undefined);
    },
  }, { highWaterMark: 0 });
  const props = new WriterPropertiesBuilder()
    .setCompression(Compression.SNAPPY)
    .setMaxRowGroupSize(rowGroupRows)
    .setCreatedBy("azflow parquetize (parquet-wasm)")
    .build();
  return (await transformParquetStream(source, props)) as ReadableStream<Uint8Array>;
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
