// Ported Airflow SQL uses psycopg2's placeholders (%s, %(name)s); pg wants $1..$n. Rewriting them
// outside string literals, quoted identifiers and comments lets those files run unchanged, still
// bound. Scripts are split into statements by the same scanner, at top-level semicolons.

export interface BoundSql {
  text: string;
  values: unknown[];
}

interface Segment {
  /** "code" is where placeholders and statement ends count; "opaque" is literals and comments. */
  kind: "code" | "opaque";
  text: string;
}

/** Cuts SQL into code and opaque (quoted, dollar-quoted, commented) segments. */
function segments(sql: string): Segment[] {
  const out: Segment[] = [];
  let code = "";
  let i = 0;
  const opaque = (end: number): void => {
    if (code) out.push({ kind: "code", text: code });
    code = "";
    out.push({ kind: "opaque", text: sql.slice(i, end) });
    i = end;
  };
  while (i < sql.length) {
    const ch = sql[i];
    const two = sql.slice(i, i + 2);
    const dollarTag = ch === "$" ? /^\$[A-Za-z_]*\$/.exec(sql.slice(i)) : null;
    if (ch === "'" || ch === '"') opaque(skipQuoted(sql, i, ch));
    else if (dollarTag) {
      const end = sql.indexOf(dollarTag[0], i + dollarTag[0].length);
      opaque(end < 0 ? sql.length : end + dollarTag[0].length);
    } else if (two === "--") {
      const end = sql.indexOf("\n", i);
      opaque(end < 0 ? sql.length : end);
    } else if (two === "/*") {
      const end = sql.indexOf("*/", i + 2);
      opaque(end < 0 ? sql.length : end + 2);
    } else {
      code += ch;
      i += 1;
    }
  }
  if (code) out.push({ kind: "code", text: code });
  return out;
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

export function bindParameters(sql: string, parameters: unknown): BoundSql {
  if (parameters === undefined || parameters === null) return { text: sql, values: [] };
  const positional = Array.isArray(parameters) ? parameters : null;
  const named = !positional && typeof parameters === "object" ? (parameters as Record<string, unknown>) : null;
  if (!positional && !named) throw new Error("SQL parameters must be a list or an object.");
  const values: unknown[] = [];
  const nameIndex = new Map<string, number>();
  let nextPositional = 0;
  const placeholder = /%%|%s|%\(([^)]*)\)s/g;
  // As psycopg2 does, %% means % everywhere once parameters are given (ported SQL writes
  // LIKE 'a%%'); placeholders inside literals and comments are never bound.
  const text = segments(sql).map((seg) => seg.kind === "opaque" ? seg.text.replace(/%%/g, "%") : seg.text.replace(placeholder, (match, name: string | undefined) => {
    if (match === "%%") return "%";
    if (match === "%s") {
      if (!positional) throw new Error("SQL uses %s placeholders but parameters is not a list.");
      if (nextPositional >= positional.length) throw new Error(`SQL has more %s placeholders than the ${positional.length} parameters given.`);
      values.push(positional[nextPositional++]);
      return `$${values.length}`;
    }
    if (!named) throw new Error(`SQL uses %(${name})s but parameters is not an object.`);
    if (!(name! in named)) throw new Error(`SQL parameter '${name}' is not given.`);
    let index = nameIndex.get(name!);
    if (index === undefined) {
      values.push(named[name!]);
      index = values.length;
      nameIndex.set(name!, index);
    }
    return `$${index}`;
  })).join("");
  // A list with no %s in the text: native $n placeholders, passed through.
  if (positional && nextPositional === 0 && positional.length > 0) return { text: sql, values: positional };
  return { text, values };
}

/** Splits a script into statements at top-level semicolons (not inside literals or comments). */
export function splitStatements(script: string): string[] {
  const out: string[] = [];
  let current = "";
  let hasCode = false;
  const flush = (): void => {
    if (hasCode && current.trim()) out.push(current.trim());
    current = "";
    hasCode = false;
  };
  for (const seg of segments(script)) {
    if (seg.kind === "opaque") {
      current += seg.text;
      // A comment alone is not a statement; a string literal is part of one.
      if (!/^(--|\/\*)/.test(seg.text)) hasCode = true;
      continue;
    }
    const parts = seg.text.split(";");
    parts.forEach((part, index) => {
      if (index > 0) flush();
      current += part;
      if (part.trim()) hasCode = true;
    });
  }
  flush();
  return out;
}
