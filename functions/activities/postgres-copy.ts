// COPY a blob (CSV) into a Postgres table as a stream: the blob's bytes flow from Blob Storage
// into COPY FROM STDIN without touching disk or growing memory. Each (table, blob, etag) loads
// once: a receipt is written in the same transaction as the rows, so a rerun after a crash
// neither loses nor duplicates a file's rows.
//
// Bad input (a header that does not match the table, a value Postgres cannot read, a short row,
// bytes that are not UTF-8, a truncated last line) loads nothing from the file: it is quarantined
// under `quarantine/` with the reason, file and line, and the task fails, or ends skipped with
// `on_bad_file: "skip"`. With `quarantine: "move"` the file leaves its prefix (an inbox that the
// next run lists again).
import { RestError, type BlobClient } from "@azure/storage-blob";
import { pipeline } from "node:stream/promises";
import { Readable } from "node:stream";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { blobService } from "../hooks/blob";
import { inTransaction, postgresPool } from "../hooks/postgres";
import { quoteIdentifier } from "../hooks/sql-identifier";
import { recordRowsLoaded, taskDimensionsOf } from "../telemetry/metrics";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { BadInputError, badInputFromPostgres, CsvGuard } from "./csv-guard";
import { OperatorDefinition, skip } from "./operator";
import { QUARANTINE_PREFIX, quarantine, quarantinedReason } from "./quarantine";

export interface CopyIntoConfig {
  connId: string;
  table: string;
  columns: string[];
  blobConnId: string;
  container: string;
  blob: string;
  delimiter: string;
  header: boolean;
  /** With keys: rows whose keys the table holds already are dropped (INSERT ... ON CONFLICT (keys) DO NOTHING). */
  conflictKeys: string[];
  onBadFile: "fail" | "skip";
  quarantine: "copy" | "move";
  requireFinalNewline: boolean;
}

export const RECEIPTS_TABLE = "azflow_copy_receipts";
const UNIQUE_VIOLATION = "23505";

interface TableColumn {
  name: string;
  required: boolean;
}

async function tableColumns(client: PoolClient, table: string): Promise<TableColumn[]> {
  const r = await client.query(
    `SELECT attname AS name, attnotnull AND NOT atthasdef AS required FROM pg_attribute
      WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    [quoteIdentifier(table)],
  );
  if (!r.rowCount) throw new Error(`Table ${table} does not exist (create it before loading into it).`);
  return r.rows as TableColumn[];
}

/** The header's names checked against the table (and `columns` when given): the COPY column list, in file order. */
function columnsFromHeader(header: string[], table: string, known: TableColumn[], configured: string[], source: string): string[] {
  const bad = (detail: string) => new BadInputError(source, 1, detail);
  const seen = new Set<string>();
  for (const name of header) {
    if (!name) throw bad(`the header has an empty column name`);
    if (seen.has(name)) throw bad(`the header names column '${name}' twice`);
    seen.add(name);
    if (!known.some((c) => c.name === name)) throw bad(`the header's column '${name}' is not a column of ${table}`);
    if (configured.length && !configured.includes(name)) throw bad(`the header's column '${name}' is not among the columns to load (${configured.join(", ")})`);
  }
  const needed = configured.length ? configured : known.filter((c) => c.required).map((c) => c.name);
  const missing = needed.filter((c) => !seen.has(c));
  if (missing.length) throw bad(`the header lacks column${missing.length > 1 ? "s" : ""} ${missing.map((m) => `'${m}'`).join(", ")} (header: ${header.join(", ")})`);
  return header;
}

export const postgresCopyOperator: OperatorDefinition<CopyIntoConfig> = {
  name: "postgres_copy",
  templateFields: ["container", "blob", "table", "on_bad_file"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only([
      "conn_id", "table", "columns", "blob_conn_id", "container", "blob", "delimiter", "header", "conflict_keys",
      "on_bad_file", "quarantine", "require_final_newline",
    ]);
    const delimiter = c.string("delimiter", ",");
    if (delimiter.length !== 1 || delimiter === "'" || delimiter === "\\") throw new ConfigError(`${where}: 'delimiter' must be one character.`);
    const table = c.string("table");
    quoteIdentifier(table, `${where}: table`);
    const columns = c.stringList("columns");
    columns.forEach((col) => quoteIdentifier(col, `${where}: column`));
    const conflictKeys = c.stringList("conflict_keys");
    conflictKeys.forEach((col) => quoteIdentifier(col, `${where}: conflict key`));
    const onBadFile = c.string("on_bad_file", "fail");
    if (onBadFile !== "fail" && onBadFile !== "skip") throw new ConfigError(`${where}: 'on_bad_file' must be fail or skip, got '${onBadFile}'.`);
    const quarantineMode = c.string("quarantine", "copy");
    if (quarantineMode !== "copy" && quarantineMode !== "move") throw new ConfigError(`${where}: 'quarantine' must be copy or move, got '${quarantineMode}'.`);
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
      onBadFile,
      quarantine: quarantineMode,
      requireFinalNewline: c.boolean("require_final_newline", false),
    };
  },
  async execute(config, ctx) {
    const container = blobService(config.blobConnId).getContainerClient(config.container);
    const blob = container.getBlobClient(config.blob);
    const source = `${config.container}/${config.blob}`;
    const badFile = (reason: string) => {
      if (config.onBadFile === "skip") {
        ctx.log(`Skipped: ${reason}`);
        return skip(reason);
      }
      throw new Error(reason);
    };
    let etag: string;
    try {
      etag = (await blob.getProperties({ abortSignal: ctx.signal })).etag!;
    } catch (err) {
      if (!(err instanceof RestError && err.statusCode === 404)) throw err;
      // A retry after this file was moved to quarantine meets the same error, not a missing file.
      const reason = await quarantinedReason(container, config.blob);
      if (reason !== undefined) return badFile(quarantinedMessage(reason, `${config.container}/${QUARANTINE_PREFIX}${config.blob}`));
      throw new Error(`Blob ${source} does not exist.`);
    }
    let result: { rows: number; alreadyLoaded: boolean };
    await ensureReceiptsTable(config.connId);
    try {
      result = await inTransaction(config.connId, (client) => loadOnce(client, config, blob, etag, source, ctx));
    } catch (err) {
      const bad = err instanceof BadInputError ? err : badInputFromPostgres(err, source);
      if (!bad) throw err;
      const kept = await quarantine(container, blob, bad.message, { move: config.quarantine === "move" });
      return badFile(quarantinedMessage(bad.message, kept));
    }
    // Counted once the rows are committed; a rerun that finds the receipt loads (and counts) nothing.
    if (!result.alreadyLoaded) recordRowsLoaded(taskDimensionsOf(ctx), result.rows, config.table);
    return result;
  },
};

function quarantinedMessage(reason: string, kept: string): string {
  return `${reason}. Nothing was loaded from it; it is kept in ${kept} with the reason.`;
}

const receiptTables = new Map<string, Promise<void>>();

/**
 * The receipts table, created once per connection and process outside the load's transaction:
 * parallel first loads racing on CREATE TABLE IF NOT EXISTS can collide in the catalog (a unique
 * violation on pg_type); the loser finds the table there and goes on.
 */
function ensureReceiptsTable(connId: string): Promise<void> {
  let ready = receiptTables.get(connId);
  if (!ready) {
    ready = postgresPool(connId).query(
      `CREATE TABLE IF NOT EXISTS ${RECEIPTS_TABLE} (target text NOT NULL, source text NOT NULL, etag text NOT NULL,
         rows bigint NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (target, source, etag))`,
    ).then(() => undefined, (err: { code?: string }) => {
      if (err.code === UNIQUE_VIOLATION || err.code === "42P07") return;
      receiptTables.delete(connId);
      throw err;
    });
    receiptTables.set(connId, ready);
  }
  return ready;
}

async function loadOnce(
  client: PoolClient, config: CopyIntoConfig, blob: BlobClient, etag: string, source: string, ctx: { signal: AbortSignal; log(m: string): void },
): Promise<{ rows: number; alreadyLoaded: boolean }> {
  // Serialise concurrent loads of the same file, so two attempts cannot both load it.
  await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${config.table}|${source}`]);
  const done = await client.query(`SELECT rows FROM ${RECEIPTS_TABLE} WHERE target = $1 AND source = $2 AND etag = $3`, [config.table, source, etag]);
  if (done.rowCount) {
    ctx.log(`${source} was already loaded into ${config.table} (${done.rows[0].rows} rows); nothing to do.`);
    return { rows: Number(done.rows[0].rows), alreadyLoaded: true };
  }
  const known = config.header ? await tableColumns(client, config.table) : [];
  const table = quoteIdentifier(config.table);
  const delimiter = config.delimiter === "\t" ? "E'\\t'" : `'${config.delimiter}'`;
  /** One streamed pass of the blob (the version the receipt records) into COPY `target`. */
  const copyPass = async (target: string): Promise<{ rows: number; columns: string[] }> => {
    const download = await blob.download(0, undefined, { abortSignal: ctx.signal, conditions: { ifMatch: etag } });
    const guard = new CsvGuard(download.readableStreamBody as AsyncIterable<Buffer>, { source, delimiter: config.delimiter, requireFinalNewline: config.requireFinalNewline });
    const columns = config.header ? columnsFromHeader(await guard.readHeader(), config.table, known, config.columns, source) : config.columns;
    const cols = columns.length ? ` (${columns.map((c) => quoteIdentifier(c)).join(", ")})` : "";
    const copy = client.query(copyFrom(`COPY ${target}${cols} FROM STDIN WITH (FORMAT csv, HEADER ${config.header}, DELIMITER ${delimiter})`));
    await pipeline(Readable.from(guard.checked()), copy);
    return { rows: Number(copy.rowCount ?? 0), columns };
  };
  let rows: number;
  if (!config.conflictKeys.length) {
    rows = (await copyPass(table)).rows;
  } else {
    // Straight into the table, the fast path for new rows; if any row's keys are there already
    // (a file loaded before under another version), that pass is undone and the file goes through
    // a staging table instead, keeping the rows the table has.
    await client.query("SAVEPOINT azflow_copy_direct");
    try {
      rows = (await copyPass(table)).rows;
      await client.query("RELEASE SAVEPOINT azflow_copy_direct");
    } catch (err) {
      if ((err as { code?: string }).code !== UNIQUE_VIOLATION) throw err;
      await client.query("ROLLBACK TO SAVEPOINT azflow_copy_direct");
      const stage = "azflow_copy_stage";
      await client.query(`CREATE TEMP TABLE ${stage} (LIKE ${table} INCLUDING DEFAULTS) ON COMMIT DROP`);
      const staged = await copyPass(stage);
      const list = staged.columns.length ? staged.columns.map((c) => quoteIdentifier(c)).join(", ") : "";
      const inserted = await client.query(
        `INSERT INTO ${table}${list ? ` (${list})` : ""} SELECT ${list || "*"} FROM ${stage}
         ON CONFLICT (${config.conflictKeys.map((k) => quoteIdentifier(k)).join(", ")}) DO NOTHING`,
      );
      rows = inserted.rowCount ?? 0;
      if (rows < staged.rows) ctx.log(`${staged.rows - rows} row(s) of ${source} were in ${config.table} already (same ${config.conflictKeys.join(", ")}); kept the existing ones.`);
    }
  }
  await client.query(`INSERT INTO ${RECEIPTS_TABLE} (target, source, etag, rows) VALUES ($1, $2, $3, $4)`, [config.table, source, etag, rows]);
  ctx.log(`Loaded ${rows} rows from ${source} into ${config.table}.`);
  return { rows, alreadyLoaded: false };
}
