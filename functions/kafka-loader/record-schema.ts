// What a loader accepts from a topic: a JSON object per message whose fields match a registered
// schema. Every message is checked (encoding, JSON, types, required fields, ranges); a message
// that fails gets one reason and goes to the dead-letter, never half into the sink.

export type ColumnType = "text" | "int" | "timestamp" | "ipv4";

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** The field may be null (or absent when `optional`); required fields must hold a value. */
  nullable?: boolean;
  /** An empty string means "no value" (the seed's dirty ages); stored as null. */
  emptyIsNull?: boolean;
  /** The key may be missing altogether (treated as null); otherwise a missing key is an error. */
  optional?: boolean;
  min?: number;
  max?: number;
  /** Longest accepted text, in characters. */
  maxLength?: number;
}

export interface RecordSchema {
  name: string;
  columns: readonly ColumnSpec[];
}

/** A checked value: text, a whole number, or null; timestamps stay in their text form. */
export type CellValue = string | number | null;

export type Checked = { ok: true; values: CellValue[] } | { ok: false; reason: string };

const schemas = new Map<string, RecordSchema>();

export function registerRecordSchema(schema: RecordSchema): void {
  schemas.set(schema.name, schema);
}

export function getRecordSchema(name: string): RecordSchema | undefined {
  return schemas.get(name);
}

export function registeredRecordSchemas(): string[] {
  return [...schemas.keys()].sort();
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });

function validTimestamp(text: string): boolean {
  const m = TIMESTAMP.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

function checkCell(col: ColumnSpec, raw: unknown, present: boolean): { value: CellValue } | { reason: string } {
  if (!present && !col.optional) return { reason: `missing field '${col.name}'` };
  let value = raw === undefined ? null : raw;
  if (value === "" && col.emptyIsNull) value = null;
  if (value === null) return col.nullable || col.optional ? { value: null } : { reason: `field '${col.name}' is null` };
  switch (col.type) {
    case "int": {
      if (typeof value !== "number" || !Number.isInteger(value)) return { reason: `field '${col.name}' must be a whole number, got ${JSON.stringify(value).slice(0, 40)}` };
      if ((col.min !== undefined && value < col.min) || (col.max !== undefined && value > col.max)) {
        return { reason: `field '${col.name}' is ${value}, outside ${col.min ?? "-inf"}..${col.max ?? "inf"}` };
      }
      return { value };
    }
    case "text":
    case "timestamp":
    case "ipv4": {
      if (typeof value !== "string") return { reason: `field '${col.name}' must be text, got ${typeof value}` };
      if (col.maxLength !== undefined && value.length > col.maxLength) return { reason: `field '${col.name}' is longer than ${col.maxLength} characters` };
      if (col.type === "timestamp" && !validTimestamp(value)) return { reason: `field '${col.name}' is not a time 'YYYY-MM-DD HH:MM:SS': ${JSON.stringify(value).slice(0, 40)}` };
      if (col.type === "ipv4" && !IPV4.test(value)) return { reason: `field '${col.name}' is not an IPv4 address: ${JSON.stringify(value).slice(0, 40)}` };
      return { value };
    }
  }
}

/** Checks one message's bytes against the schema: the values in column order, or why not. */
export function checkRecord(schema: RecordSchema, bytes: Buffer | null, maxRecordBytes: number): Checked {
  if (bytes === null || bytes.length === 0) return { ok: false, reason: "empty message (no value)" };
  if (bytes.length > maxRecordBytes) return { ok: false, reason: `oversized: ${bytes.length} bytes, limit ${maxRecordBytes}` };
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return { ok: false, reason: "not valid UTF-8 (binary or truncated text)" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message.slice(0, 80)}` };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, reason: "not a JSON object" };
  const obj = parsed as Record<string, unknown>;
  const values: CellValue[] = [];
  for (const col of schema.columns) {
    const cell = checkCell(col, obj[col.name], Object.prototype.hasOwnProperty.call(obj, col.name));
    if ("reason" in cell) return { ok: false, reason: cell.reason };
    values.push(cell.value);
  }
  return { ok: true, values };
}
