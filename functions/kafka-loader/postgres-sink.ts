// The Postgres sink: each batch is COPYed into a temporary staging table and moved into the
// target with INSERT ... ON CONFLICT DO NOTHING on (topic, partition, offset), in one transaction.
// A crash mid-COPY rolls the batch back; a batch read again after a crash before its offset
// commit inserts nothing twice. COPY keeps the cost per row low; the staging table lets the
// conflict rule apply, which COPY alone cannot.
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { PoolClient } from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { postgresPool } from "../hooks/postgres";
import { quoteIdentifier } from "../hooks/sql-identifier";
import { SOURCE_COLUMNS, type MicroBatch } from "./batch";
import type { CellValue } from "./record-schema";

/** COPY's text format: tab-separated, \N for null, backslash escapes. */
function copyText(value: CellValue): string {
  if (value === null) return "\\N";
  if (typeof value === "number") return String(value);
  return value.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

function* copyLines(rows: CellValue[][]): Generator<string> {
  // Chunks of rows, not one string per batch nor one per row: fewer, bounded writes.
  let chunk = "";
  for (const row of rows) {
    chunk += row.map(copyText).join("\t") + "\n";
    if (chunk.length >= 256 * 1024) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk) yield chunk;
}

export interface PostgresSinkOptions {
  connId: string;
  table: string;
  columns: readonly string[];
  /** Test hook: runs while a COPY is half sent. */
  onMidCopy?(batch: MicroBatch): void;
}

export class PostgresSink {
  private client: PoolClient | undefined;
  private readonly target: string;
  private readonly stage = "azflow_kafka_stage";
  private readonly columnList: string;

  constructor(private readonly o: PostgresSinkOptions) {
    this.target = quoteIdentifier(o.table, "table");
    this.columnList = [...o.columns, ...SOURCE_COLUMNS].map((c) => quoteIdentifier(c, "column")).join(", ");
  }

  private async connection(): Promise<PoolClient> {
    if (this.client) return this.client;
    const client = await postgresPool(this.o.connId).connect();
    try {
      // Per session, emptied at each commit; the same column types as the target.
      await client.query(`DROP TABLE IF EXISTS pg_temp.${this.stage}`);
      await client.query(`CREATE TEMP TABLE ${this.stage} ON COMMIT DELETE ROWS AS SELECT ${this.columnList} FROM ${this.target} WITH NO DATA`);
    } catch (err) {
      client.release();
      throw err;
    }
    this.client = client;
    return client;
  }

  async store(batch: MicroBatch): Promise<number> {
    if (!batch.rows.length) return 0;
    const client = await this.connection();
    await client.query("BEGIN");
    try {
      const copy = client.query(copyFrom(`COPY ${this.stage} (${this.columnList}) FROM STDIN`));
      const hook = this.o.onMidCopy;
      const source = Readable.from((function* (): Generator<string> {
        let sent = 0;
        for (const chunk of copyLines(batch.rows)) {
          yield chunk;
          if (hook && ++sent === 1) hook(batch);
        }
      })());
      await pipeline(source, copy);
      const inserted = await client.query(
        `INSERT INTO ${this.target} (${this.columnList}) SELECT ${this.columnList} FROM ${this.stage}
         ON CONFLICT (${SOURCE_COLUMNS.map((c) => quoteIdentifier(c)).join(", ")}) DO NOTHING`,
      );
      await client.query("COMMIT");
      return inserted.rowCount ?? 0;
    } catch (err) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    // The staging table is per session: a pooled connection keeps it for the next load.
    this.client?.release();
    this.client = undefined;
  }
}
