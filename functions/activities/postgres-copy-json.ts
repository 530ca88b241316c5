// JSON lines in a blob into a Postgres table through COPY, in one transaction: every line is
// checked (valid JSON, an object, the required fields present) before the transaction commits,
// so a bad line fails the task naming the source and line and loads nothing. Constant columns
// (a run's date) tag the rows; `replace` deletes the rows with the same constants first, so a
// rerun of a day replaces that day only.
import { once } from "node:events";
import * as readline from "node:readline";
import { finished } from "node:stream/promises";
import { from as copyFrom } from "pg-copy-streams";
import { blobService } from "../hooks/blob";
import { inTransaction } from "../hooks/postgres";
import { quoteIdentifier } from "../hooks/sql-identifier";
import { blobField, containerField } from "./blob-config";
import { ConfigError, ConfigReader } from "./config-reader";
import { SOURCE_METADATA } from "./http-to-blob";
import { OperatorDefinition } from "./operator";
import { quarantine } from "./quarantine";

export interface CopyJsonConfig {
  connId: string;
  blobConnId: string;
  container: string;
  blob: string;
  table: string;
  /** Table column -> JSON field. */
  columns: Record<string, string>;
  required: string[];
  constants: Record<string, string>;
  replace: string[];
}

/** A JSON value as a COPY CSV cell: NULL is empty, strings are quoted (so "" stays an empty string). */
function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `"${text.replace(/"/g, '""')}"`;
}

export const postgresCopyJsonOperator: OperatorDefinition<CopyJsonConfig> = {
  name: "postgres_copy_json",
  templateFields: ["container", "blob", "constants"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "blob_conn_id", "container", "blob", "table", "columns", "required", "constants", "replace"]);
    const table = c.string("table");
    quoteIdentifier(table, `${where}: table`);
    const columns = c.stringRecord("columns");
    if (!Object.keys(columns).length) throw new ConfigError(`${where}: 'columns' must map table columns to JSON fields.`);
    const constants = c.stringRecord("constants");
    for (const col of [...Object.keys(columns), ...Object.keys(constants)]) quoteIdentifier(col, `${where}: column`);
    const replace = c.stringList("replace");
    for (const col of replace) if (!(col in constants)) throw new ConfigError(`${where}: 'replace' names '${col}', which is not in 'constants'.`);
    return {
      connId: c.string("conn_id", "postgres_default"),
      blobConnId: c.string("blob_conn_id", "wasb_default"),
      container: containerField(c, "container", where),
      blob: blobField(c, "blob", where),
      table, columns, required: c.stringList("required"), constants, replace,
    };
  },
  async execute(config, ctx) {
    const container = blobService(config.blobConnId).getContainerClient(config.container);
    const blob = container.getBlobClient(config.blob);
    const props = await blob.getProperties({ abortSignal: ctx.signal });
    const origin = props.metadata?.[SOURCE_METADATA];
    const source = origin ? decodeURIComponent(origin) : `${config.container}/${config.blob}`;
    const fields = Object.entries(config.columns);
    const constants = Object.entries(config.constants);
    const fixed = constants.map(([, v]) => `,${cell(v)}`).join("");
    let badLine: string | null = null;
    try {
      return await inTransaction(config.connId, async (client) => {
        const table = quoteIdentifier(config.table);
        let replaced = 0;
        if (config.replace.length) {
          const where = config.replace.map((col, i) => `${quoteIdentifier(col)} = $${i + 1}`).join(" AND ");
          replaced = (await client.query(`DELETE FROM ${table} WHERE ${where}`, config.replace.map((col) => config.constants[col]))).rowCount ?? 0;
        }
        const cols = [...fields.map(([col]) => col), ...constants.map(([col]) => col)].map((col) => quoteIdentifier(col)).join(", ");
        const copy = client.query(copyFrom(`COPY ${table} (${cols}) FROM STDIN WITH (FORMAT csv)`));
        // Errors surface where the copy is awaited (drain, finished); the transaction rolls back.
        copy.on("error", () => undefined);
        const download = await blob.download(0, undefined, { abortSignal: ctx.signal, conditions: { ifMatch: props.etag } });
        const lines = readline.createInterface({ input: download.readableStreamBody!, crlfDelay: Infinity });
        let lineNo = 0;
        let rows = 0;
        let text = "";
        const fail = (message: string): never => {
          copy.destroy();
          badLine = `${source} line ${lineNo}: ${message}; nothing was loaded into ${config.table}.`;
          throw new Error(badLine);
        };
        for await (const line of lines) {
          lineNo++;
          if (!line.trim()) continue;
          let record: unknown;
          try {
            record = JSON.parse(line);
          } catch (err) {
            fail(`not valid JSON (${(err as Error).message})`);
          }
          if (!record || typeof record !== "object" || Array.isArray(record)) fail("not a JSON object");
          const obj = record as Record<string, unknown>;
          const missing = config.required.filter((f) => !(f in obj));
          if (missing.length) fail(`missing field${missing.length > 1 ? "s" : ""} ${missing.map((f) => `'${f}'`).join(", ")}`);
          text += `${fields.map(([, f]) => cell(obj[f])).join(",")}${fixed}\n`;
          rows++;
          if (text.length > 1 << 20) {
            if (!copy.write(text)) await once(copy, "drain");
            text = "";
          }
        }
        if (text && !copy.write(text)) await once(copy, "drain");
        copy.end();
        await finished(copy);
        ctx.log(`Loaded ${rows} row(s) from ${source} into ${config.table}${config.replace.length ? `, replacing ${replaced}` : ""}.`);
        return { rows, replaced, source };
        });
    } catch (err) {
      if (badLine === null) throw err;
      const kept = await quarantine(container, blob, badLine);
      throw new Error(`${badLine} The file is kept in ${kept}, with the reason.`);
    }
  },
};
