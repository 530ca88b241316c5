// The Postgres sink: one transaction per batch, idempotent on (topic, partition, offset). A batch
// that may hold rows already stored (read again after a crash before its offset commit) is COPYed
// into a temporary staging table and moved into the target with INSERT ... ON CONFLICT DO NOTHING;
// a batch whose offsets are all new (checked under a per-partition lock) is COPYed straight in,
// which halves the work of the common case. A crash mid-COPY rolls the batch back.
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
      // One writer per partition of this table at a time (a zombie attempt, a second run), so the
      // look below stays true until the commit.
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1), $2)", [`${this.o.table}|${batch.topic}`, batch.partition]);
      const seen = await client.query(
        `SELECT 1 FROM ${this.target} WHERE kafka_topic = $1 AND kafka_partition = $2 AND kafka_offset >= $3 AND kafka_offset < $4 LIMIT 1`,
        [batch.topic, batch.partition, batch.firstOffset, batch.nextOffset],
      );
      // The common case, a batch read for the first time: straight COPY into the table. A batch
      // read again after a crash (some of its rows are there) goes through the staging table and
      // the conflict rule, which COPY alone cannot apply.
      const direct = seen.rowCount === 0;
      const copy = client.query(copyFrom(`COPY ${direct ? this.target : this.stage} (${this.columnList}) FROM STDIN`));
      const hook = this.o.onMidCopy;
      const source = Readable.from((function* (): Generator<string> {
        let sent = 0;
        for (const chunk of copyLines(batch.rows)) {
          yield chunk;
          if (hook && ++sent === 1) hook(batch);
        }
      })());
      await pipeline(source, copy);
      const inserted = direct ? Number(copy.rowCount ?? 0) : (await client.query(
        `INSERT INTO ${this.target} (${this.columnList}) SELECT ${this.columnList} FROM ${this.stage}
         ON CONFLICT (${SOURCE_COLUMNS.map((c) => quoteIdentifier(c)).join(", ")}) DO NOTHING`,
      )).rowCount ?? 0;
      await client.query("COMMIT");
      return inserted;
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
