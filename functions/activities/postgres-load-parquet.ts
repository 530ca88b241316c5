// Load a Parquet blob (the lake's copy) into a Postgres table, replacing one partition: in one
// transaction the table is set up if needed, the partition's old rows deleted and the file's rows
// COPYed in, one row group at a time (ranged reads: the file is never held whole). Loading the
// same month again therefore replaces it; a failure leaves the previous load as it was.
import { once } from "node:events";
import { finished } from "node:stream/promises";
import * as fs from "node:fs/promises";
import * as path from "node:path";
import type * as arrow from "apache-arrow";
import { from as copyFrom } from "pg-copy-streams";
import { blobService } from "../hooks/blob";
import { inTransaction } from "../hooks/postgres";
import { quoteIdentifier } from "../hooks/sql-identifier";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";

export interface LoadParquetConfig {
  connId: string;
  blobConnId: string;
  container: string;
  blob: string;
  table: string;
  partition: { column: string; value: string };
  setupFile?: string;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** A cell as COPY's CSV format wants it: empty for NULL, strings always quoted. */
export function csvCell(value: unknown, type: arrow.DataType): string {
  if (value === null || value === undefined) return "";
  // Arrow JS reads timestamps as epoch milliseconds; the table's columns are naive timestamps.
  if (String(type).startsWith("Timestamp")) {
    const d = new Date(Number(value));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
  }
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  return `"${String(value).replace(/"/g, '""')}"`;
}

export const postgresLoadParquetOperator: OperatorDefinition<LoadParquetConfig> = {
  name: "postgres_load_parquet",
  templateFields: ["container", "blob", "partition"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "blob_conn_id", "container", "blob", "table", "partition", "setup_file"]);
    const table = c.string("table");
    quoteIdentifier(table, `${where}: table`);
    const p = c.raw("partition") as Record<string, unknown> | undefined;
    if (!p || typeof p.column !== "string" || typeof p.value !== "string" || !p.value) {
      throw new ConfigError(`${where}: 'partition' must be { column, value } (the rows a load replaces).`);
    }
    quoteIdentifier(p.column, `${where}: partition column`);
    return {
      connId: c.string("conn_id", "postgres_default"),
      blobConnId: c.string("blob_conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
      table,
      partition: { column: p.column, value: p.value },
      setupFile: c.optionalString("setup_file"),
    };
  },
  async execute(config, ctx) {
    const blob = blobService(config.blobConnId).getContainerClient(config.container).getBlobClient(config.blob);
    const props = await blob.getProperties({ abortSignal: ctx.signal });
    const source = `${config.container}/${config.blob}`;
    // Arrow and parquet-wasm load with the first load, not with the app.
    const { openParquet } = await import("./parquet/parquet-io");
    const file = await openParquet({
      size: props.contentLength ?? 0,
      read: (offset, length) => blob.downloadToBuffer(offset, length, { abortSignal: ctx.signal, conditions: { ifMatch: props.etag } }),
    });
    try {
      const setup = config.setupFile ? ctx.render(await fs.readFile(path.resolve(ctx.appRoot, config.setupFile), "utf8")) : null;
      return await inTransaction(config.connId, async (client) => {
        if (setup) await client.query(setup);
        const table = quoteIdentifier(config.table);
        const partitionColumn = quoteIdentifier(config.partition.column);
        // Two loads of the same partition queue up instead of interleaving their deletes and copies.
        await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`${config.table}|${config.partition.value}`]);
        const deleted = await client.query(`DELETE FROM ${table} WHERE ${partitionColumn} = $1`, [config.partition.value]);
        let copy: ReturnType<typeof copyFrom> | null = null;
        let rows = 0;
        for (let g = 0; g < file.numRowGroups; g++) {
          const group = await file.rowGroup(g);
          const fields = group.schema.fields;
          if (!copy) {
            const cols = [partitionColumn, ...fields.map((f) => quoteIdentifier(f.name, `${source}: column`))].join(", ");
            copy = client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`));
            // Errors surface where the copy is awaited (drain, finished); the transaction rolls back.
            copy.on("error", () => undefined);
          }
          const columns = fields.map((f) => group.getChild(f.name)!);
          const partition = `"${config.partition.value.replace(/"/g, '""')}"`;
          let text = "";
          for (let i = 0; i < group.numRows; i++) {
            text += partition;
            for (let c = 0; c < columns.length; c++) text += `,${csvCell(columns[c].get(i), fields[c].type)}`;
            text += "\n";
            if (text.length > 1 << 20) {
              if (!copy.write(text)) await once(copy, "drain");
              text = "";
            }
          }
          if (text && !copy.write(text)) await once(copy, "drain");
          rows += group.numRows;
        }
        if (copy) {
          copy.end();
          await finished(copy);
        }
        ctx.log(`Replaced ${deleted.rowCount ?? 0} row(s) of ${config.partition.column} = ${config.partition.value} with ${rows} row(s) from ${source}.`);
        return { rows, replaced: deleted.rowCount ?? 0, row_groups: file.numRowGroups };
      });
    } finally {
      file.close();
    }
  },
};
