// COPY a blob (CSV) into a Postgres table as a stream: the blob's bytes flow from Blob Storage
// into COPY FROM STDIN without touching disk or growing memory. Each (table, blob, etag) loads
// once: a receipt is written in the same transaction as the rows, so a rerun after a crash
// neither loses nor duplicates a file's rows.
import { pipeline } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { blobService } from "../hooks/blob";
import { inTransaction } from "../hooks/postgres";
import { quoteIdentifier } from "../hooks/sql-identifier";
import { recordRowsLoaded, taskDimensionsOf } from "../telemetry/metrics";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";

export interface CopyIntoConfig {
  connId: string;
  table: string;
  columns: string[];
  blobConnId: string;
  container: string;
  blob: string;
  delimiter: string;
  header: boolean;
  /** With keys: COPY into a staging copy of the table, then INSERT ... ON CONFLICT (keys) DO NOTHING. */
  conflictKeys: string[];
}

export const RECEIPTS_TABLE = "azflow_copy_receipts";

export const postgresCopyOperator: OperatorDefinition<CopyIntoConfig> = {
  name: "postgres_copy",
  templateFields: ["container", "blob", "table"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "table", "columns", "blob_conn_id", "container", "blob", "delimiter", "header", "conflict_keys"]);
    const delimiter = c.string("delimiter", ",");
    if (delimiter.length !== 1 || delimiter === "'" || delimiter === "\\") throw new ConfigError(`${where}: 'delimiter' must be one character.`);
    const table = c.string("table");
    quoteIdentifier(table, `${where}: table`);
    const columns = c.stringList("columns");
    columns.forEach((col) => quoteIdentifier(col, `${where}: column`));
    const conflictKeys = c.stringList("conflict_keys");
    conflictKeys.forEach((col) => quoteIdentifier(col, `${where}: conflict key`));
    return {
      connId: c.string("conn_id", "postgres_default"),
      table,
      columns,
      blobConnId: c.string("blob_conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
      delimiter,
      header: c.boolean("header", true),
      conflictKeys,
    };
  },
  async execute(config, ctx) {
    const blob = blobService(config.blobConnId).getContainerClient(config.container).getBlobClient(config.blob);
    const props = await blob.getProperties({ abortSignal: ctx.signal });
    const source = `${config.container}/${config.blob}`;
    const result = await inTransaction(config.connId, async (client) => {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${RECEIPTS_TABLE} (target text NOT NULL, source text NOT NULL, etag text NOT NULL,
           rows bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, source, etag))`,
      );
      // Serialise concurrent loads of the same file, so two attempts cannot both load it.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${config.table}|${source}`]);
      const done = await client.query(`SELECT rows FROM ${RECEIPTS_TABLE} WHERE target = $1 AND source = $2 AND etag = $3`, [config.table, source, props.etag]);
      if (done.rowCount) {
        ctx.log(`${source} was already loaded into ${config.table} (${done.rows[0].rows} rows); nothing to do.`);
        return { rows: Number(done.rows[0].rows), alreadyLoaded: true };
      }
      const cols = config.columns.length ? ` (${config.columns.map((c) => quoteIdentifier(c)).join(", ")})` : "";
      const delimiter = config.delimiter === "\t" ? "E'\\t'" : `'${config.delimiter}'`;
      // Rows whose keys the table already holds are dropped rather than duplicated (or failing).
      const stage = config.conflictKeys.length ? "azflow_copy_stage" : null;
      if (stage) await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${quoteIdentifier(config.table)} INCLUDING DEFAULTS) ON COMMIT DROP`);
      const copy = client.query(copyFrom(
        `COPY ${stage ?? quoteIdentifier(config.table)}${cols} FROM STDIN WITH (FORMAT csv, HEADER ${config.header}, DELIMITER ${delimiter})`,
      ));
      // The version whose etag the receipt records, or a clear failure if it changed meanwhile.
      const download = await blob.download(0, undefined, { abortSignal: ctx.signal, conditions: { ifMatch: props.etag } });
      await pipeline(download.readableStreamBody!, copy);
      let rows = Number(copy.rowCount ?? 0);
      if (stage) {
        const inserted = await client.query(
          `INSERT INTO ${quoteIdentifier(config.table)}${cols} SELECT ${config.columns.length ? config.columns.map((c) => quoteIdentifier(c)).join(", ") : "*"} FROM ${stage}
           ON CONFLICT (${config.conflictKeys.map((k) => quoteIdentifier(k)).join(", ")}) DO NOTHING`,
        );
        if ((inserted.rowCount ?? 0) < rows) ctx.log(`${rows - (inserted.rowCount ?? 0)} row(s) of ${source} were in ${config.table} already (same ${config.conflictKeys.join(", ")}); kept the existing ones.`);
        rows = inserted.rowCount ?? 0;
      }
      await client.query(`INSERT INTO ${RECEIPTS_TABLE} (target, source, etag, rows) VALUES ($1, $2, $3, $4)`, [config.table, source, props.etag, rows]);
      ctx.log(`Loaded ${rows} rows from ${source} into ${config.table}.`);
      return { rows, alreadyLoaded: false };
    });
    // Counted once the rows are committed; a rerun that finds the receipt loads (and counts) nothing.
    if (!result.alreadyLoaded) recordRowsLoaded(taskDimensionsOf(ctx), result.rows, config.table);
    return result;
  },
};
