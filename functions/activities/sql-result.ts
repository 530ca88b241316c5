// Query results become XCom: JSON-safe rows (Airflow returns tuples; we return arrays), dates as
// ISO strings, big integers and numerics as strings so no precision is lost.

export function jsonSafe(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return value.toString();
  if (Buffer.isBuffer(value)) return value.toString("base64");
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, jsonSafe(v)]));
  }
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return value;
}

export function rowsAsArrays(rows: Record<string, unknown>[], fields: { name: string }[]): unknown[][] {
  return rows.map((row) => fields.map((f) => jsonSafe(row[f.name])));
}
