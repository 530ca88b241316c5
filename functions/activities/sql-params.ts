// Ported Airflow SQL uses psycopg2's placeholders (%s, %(name)s); pg wants $1..$n. Rewriting them
// outside string literals, identifiers and comments lets those files run unchanged, still bound.

export interface BoundSql {
  text: string;
  values: unknown[];
}

export function bindParameters(sql: string, parameters: unknown): BoundSql {
  if (parameters === undefined || parameters === null) return { text: sql, values: [] };
  const positional = Array.isArray(parameters) ? parameters : null;
  const named = !positional && typeof parameters === "object" ? (parameters as Record<string, unknown>) : null;
  if (!positional && !named) throw new Error("SQL parameters must be a list or an object.");
  const values: unknown[] = [];
  const nameIndex = new Map<string, number>();
  let out = "";
  let nextPositional = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    if (ch === "'" || ch === '"') {
      const end = skipQuoted(sql, i, ch);
      out += sql.slice(i, end);
      i = end;
    } else if (two === "--") {
      const end = sql.indexOf("\n", i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (two === "%%") {
      out += "%";
      i += 2;
    } else if (two === "%s") {
      if (!positional) throw new Error("SQL uses %s placeholders but parameters is not a list.");
      if (nextPositional >= positional.length) throw new Error(`SQL has more %s placeholders than the ${positional.length} parameters given.`);
      values.push(positional[nextPositional++]);
      out += `$${values.length}`;
      i += 2;
    } else if (two === "%(") {
      const close = sql.indexOf(")s", i);
      if (close < 0) throw new Error("Unterminated %(name)s placeholder in SQL.");
      const name = sql.slice(i + 2, close);
      if (!named) throw new Error(`SQL uses %(${name})s but parameters is not an object.`);
      if (!(name in named)) throw new Error(`SQL parameter '${name}' is not given.`);
      let index = nameIndex.get(name);
      if (index === undefined) {
        values.push(named[name]);
        index = values.length;
        nameIndex.set(name, index);
      }
      out += `$${index}`;
      i = close + 2;
    } else {
      out += ch;
      i += 1;
    }
  }
  if (positional && nextPositional === 0 && positional.length > 0) {
    // Native $n placeholders: pass the list through.
    return { text: sql, values: positional };
  }
  return { text: out, values };
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i += 1;
  }
  return sql.length;
}

/** Splits a script into statements at top-level semicolons (not inside literals or comments). */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = "";
  let i = 0;
  while (i < script.length) {
    const ch = script[i];
    const two = script.slice(i, i + 2);
    if (ch === "'" || ch === '"') {
      const end = skipQuoted(script, i, ch);
      current += script.slice(i, end);
      i = end;
    } else if (ch === "$" && /^\$[A-Za-z_]*\$/.test(script.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(script.slice(i))![0];
      const end = script.indexOf(tag, i + tag.length);
      const stop = end < 0 ? script.length : end + tag.length;
      current += script.slice(i, stop);
      i = stop;
    } else if (two === "--") {
      const end = script.indexOf("\n", i);
      const stop = end < 0 ? script.length : end;
      current += script.slice(i, stop);
      i = stop;
    } else if (two === "/*") {
      const end = script.indexOf("*/", i + 2);
      const stop = end < 0 ? script.length : end + 2;
      current += script.slice(i, stop);
      i = stop;
    } else if (ch === ";") {
      if (current.trim()) out.push(current.trim());
      current = "";
      i += 1;
    } else {
      current += ch;
      i += 1;
    }
  }
  if (current.trim() && !/^(--[^\n]*\n?|\s)*$/.test(current)) out.push(current.trim());
  return out;
}
