// SQLCheckOperator: each check is a query whose first row must hold only truthy values. All checks
// run; the task fails listing every check that did not hold, each with its description, so a data
// quality failure reads as a sentence, not a stack trace.
import { inTransaction } from "../hooks/postgres";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";
import { bindParameters } from "./sql-params";

export interface SqlCheck {
  description: string;
  sql: string;
  parameters?: unknown;
}

export class DataQualityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DataQualityError";
  }
}

export const sqlCheckOperator: OperatorDefinition<{ connId: string; checks: SqlCheck[] }> = {
  name: "sql_check",
  templateFields: ["checks"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "checks"]);
    const checks = c.raw("checks");
    if (!Array.isArray(checks) || !checks.length) throw new ConfigError(`${where}: 'checks' must be a non-empty list of { description, sql, parameters? }.`);
    for (const [i, check] of checks.entries()) {
      if (!check || typeof check.description !== "string" || typeof check.sql !== "string") {
        throw new ConfigError(`${where}: checks[${i}] needs a description and sql.`);
      }
    }
    return { connId: c.string("conn_id", "postgres_default"), checks: checks as SqlCheck[] };
  },
  async execute(config, ctx) {
    const failed: string[] = [];
    const results: Record<string, unknown[]> = {};
    // One read-only snapshot: every check sees the same data.
    await inTransaction(config.connId, async (client) => {
      await client.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY");
      for (const check of config.checks) {
        const bound = bindParameters(check.sql, check.parameters);
        const r = await client.query({ text: bound.text, values: bound.values, rowMode: "array" });
        const row = (r.rows[0] ?? null) as unknown[] | null;
        results[check.description] = row ?? [];
        const ok = row !== null && row.length > 0 && row.every((v) => !!v && v !== "0");
        ctx.log(`${ok ? "passed" : "FAILED"}: ${check.description}${ok ? "" : ` (got ${JSON.stringify(row)})`}`);
        if (!ok) failed.push(`${check.description} (got ${row === null ? "no row" : JSON.stringify(row)})`);
      }
    });
    if (failed.length) throw new DataQualityError(`Data quality check${failed.length > 1 ? "s" : ""} failed: ${failed.join("; ")}`);
    return { passed: config.checks.length, results };
  },
};
