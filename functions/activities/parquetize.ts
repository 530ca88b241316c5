// parquetize: a CSV, gzip CSV or Parquet blob rewritten as Parquet with the columns and types the
// DAG declares, streamed in row groups from blob to blob. The destination blob is committed only
// after the last row group, so a bad line leaves no half-written file (and no file at all on a
// first attempt). Errors name the source and the line.
import { PassThrough } from "node:stream";
import { blobService } from "../hooks/blob";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { SOURCE_METADATA } from "./http-to-blob";
import { OperatorDefinition } from "./operator";
import { checkColumns, type ColumnSpec } from "./parquet/column-specs";
import type { SourceFormat } from "./parquet/convert";
import { quarantine } from "./quarantine";

export interface ParquetizeConfig {
  connId: string;
  container: string;
  blob: string;
  destContainer: string;
  destBlob: string;
  columns: ColumnSpec[];
  rowGroupRows: number;
}

export const DEFAULT_ROW_GROUP_ROWS = 131_072;

export const parquetizeOperator: OperatorDefinition<ParquetizeConfig> = {
  name: "parquetize",
  templateFields: ["container", "blob", "dest_container", "dest_blob"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "container", "blob", "dest_container", "dest_blob", "columns", "row_group_rows"]);
    let columns: ColumnSpec[];
    try {
      columns = checkColumns(c.raw("columns"), where);
    } catch (err) {
      throw new ConfigError((err as Error).message);
    }
    return {
      connId: c.string("conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
      destContainer: containerField(c, "dest_container", where, c.string("container")),
      destBlob: blobField(c, "dest_blob", where),
      columns,
      rowGroupRows: c.number("row_group_rows", DEFAULT_ROW_GROUP_ROWS, 1, 1_048_576),
    };
  },
  async execute(config, ctx) {
    // Arrow and parquet-wasm load with the first conversion, not with the app.
    const { csvToParquet, detectFormat, parquetToParquet } = await import("./parquet/convert");
    const { CsvInputError } = await import("./parquet/csv-batches");
    const service = blobService(config.connId);
    const source = service.getContainerClient(config.container).getBlobClient(config.blob);
    const props = await source.getProperties({ abortSignal: ctx.signal });
    const origin = props.metadata?.[SOURCE_METADATA];
    const name = `${config.container}/${config.blob}${origin ? ` (downloaded from ${decodeURIComponent(origin)})` : ""}`;
    if (!props.contentLength) throw new Error(`${name} is empty.`);
    const head = await source.downloadToBuffer(0, Math.min(4, props.contentLength), { abortSignal: ctx.signal });
    const format: SourceFormat = detectFormat(head);
    const destContainer = service.getContainerClient(config.destContainer);
    await destContainer.createIfNotExists();
    const sink = new PassThrough();
    const upload = destContainer.getBlockBlobClient(config.destBlob).uploadStream(sink, 4 * 1024 * 1024, 2, {
      abortSignal: ctx.signal, blobHTTPHeaders: { blobContentType: "application/vnd.apache.parquet" },
    });
    const options = { columns: config.columns, rowGroupRows: config.rowGroupRows, source: name };
    ctx.log(`Converting ${name} (${format}, ${props.contentLength} bytes) to ${config.destContainer}/${config.destBlob}.`);
    let result;
    try {
      if (format === "parquet") {
        result = await parquetToParquet({
          size: props.contentLength,
          read: (offset, length) => source.downloadToBuffer(offset, length, { abortSignal: ctx.signal, conditions: { ifMatch: props.etag } }),
        }, sink, options);
      } else {
        const download = await source.download(0, undefined, { abortSignal: ctx.signal, conditions: { ifMatch: props.etag } });
        result = await csvToParquet(download.readableStreamBody as NodeJS.ReadableStream as import("node:stream").Readable, format, sink, options);
      }
    } catch (err) {
      // The upload stops without committing its blocks.
      sink.destroy(err as Error);
      await upload.catch(() => undefined);
      if (err instanceof CsvInputError) {
        const kept = await quarantine(service.getContainerClient(config.container), source, err.message);
        throw new CsvInputError(`${err.message} (the file is kept in ${kept}, with the reason)`);
      }
      throw err;
    }
    await upload;
    ctx.log(`Wrote ${result.rows} rows in ${result.rowGroups} row group(s), ${result.bytes} bytes.`);
    return { rows: result.rows, row_groups: result.rowGroups, bytes: result.bytes, format, container: config.destContainer, blob: config.destBlob };
  },
};
