// SqlSensor: done when the first cell of the first row is truthy (not null, 0, '0' or '').
import { postgresPool } from "../hooks/postgres";
import { ConfigReader } from "./config-reader";
import { OperatorDefinition, PokeResult } from "./operator";
import { bindParameters } from "./sql-params";
import { jsonSafe } from "./sql-result";

export interface SqlSensorConfig {
  connId: string;
  sql: string;
  parameters: unknown;
  failOnEmpty: boolean;
}

export const sqlSensor: OperatorDefinition<SqlSensorConfig> = {
  name: "sql_sensor",
  templateFields: ["sql", "parameters"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["conn_id", "sql", "parameters", "fail_on_empty"]);
    return {
      connId: c.string("conn_id", "postgres_default"),
      sql: c.string("sql"),
      parameters: c.raw("parameters"),
      failOnEmpty: c.boolean("fail_on_empty", false),
    };
  },
  async execute(config, ctx): Promise<PokeResult> {
    const bound = bindParameters(config.sql, config.parameters);
    const result = await postgresPool(config.connId).query({ text: bound.text, values: bound.values, rowMode: "array" });
    const first = (result.rows as unknown[][])[0];
    if (!first) {
      if (config.failOnEmpty) throw new Error("No rows returned, raising as fail_on_empty is set.");
      ctx.log("Poke: no rows yet.");
      return { done: false };
    }
    const cell = first[0];
    const done = !(cell === null || cell === undefined || cell === 0 || cell === "0" || cell === "" || cell === false);
    ctx.log(`Poke: first cell ${JSON.stringify(jsonSafe(cell))} -> ${done ? "done" : "not yet"}.`);
    return { done, value: done ? jsonSafe(first) : undefined };
  },
};
