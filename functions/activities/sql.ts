// SQLExecuteQueryOperator / PostgresOperator: statements from inline text or a file, rendered
// with the Airflow context, parameters bound (never interpolated), run in one transaction; the
// last statement's rows are the XCom.
import * as fs from "node:fs/promises";
import * as path from "node:path";
import { inTransaction } from "../hooks/postgres";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";
import { bindParameters, splitStatements } from "./sql-params";
import { rowsAsArrays } from "./sql-result";

export interface SqlConfig {
  connId: string;
  sql?: string[];
  file?: string;
  parameters: unknown;
  /** Split scripts at top-level semicolons (needed when parameters are bound per statement). */
  splitStatements: boolean;
}

export async function loadStatements(config: SqlConfig, appRoot: string, render: (t: string) => string): Promise<string[]> {
  if (config.sql) return config.splitStatements ? config.sql.flatMap(splitStatements) : config.sql;
  const file = path.resolve(appRoot, config.file!);
  if (!file.startsWith(path.resolve(appRoot) + path.sep)) throw new ConfigError(`SQL file '${config.file}' is outside the app.`);
  const text = render(await fs.readFile(file, "utf8"));
  return config.splitStatements ? splitStatements(text) : [text];
}

export const sqlOperator: OperatorDefinition<SqlConfig> = {
  name: "sql",
  templateFields: ["sql", "parameters"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "sql", "file", "parameters", "split_statements"]);
    if (c.has("sql") === c.has("file")) throw new ConfigError(`${where}: give exactly one of 'sql' or 'file'.`);
    return {
      connId: c.string("conn_id", "postgres_default"),
      sql: c.has("sql") ? c.stringList("sql") : undefined,
      file: c.optionalString("file"),
      parameters: c.raw("parameters"),
      splitStatements: c.boolean("split_statements", c.has("parameters")),
    };
  },
  async execute(config, ctx) {
    const statements = await loadStatements(config, ctx.appRoot, ctx.render);
    return inTransaction(config.connId, async (client) => {
      let last: unknown = null;
      for (const statement of statements) {
        const bound = bindParameters(statement, config.parameters);
        const result = await client.query({ text: bound.text, values: bound.values });
        // A multi-statement text returns one result per statement; the last one is the XCom.
        const final = Array.isArray(result) ? result[result.length - 1] : result;
        last = final.fields?.length ? rowsAsArrays(final.rows, final.fields) : final.rowCount;
        ctx.log(`${final.command ?? "SQL"}: ${final.rowCount ?? 0} row(s)`);
      }
      return last;
    });
  },
};
