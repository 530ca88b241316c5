// What a loader accepts from a topic: a JSON object per message whose fields match a registered
// schema. Every message is checked (encoding, JSON, types, required fields, ranges); a message
// that fails gets one reason and goes to the dead-letter, never half into the sink.
import { isUtf8 } from "node:buffer";

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

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Digits at [from, from + n) as a number, or -1. Hand-written: this runs for every field of every message. */
function digits(text: string, from: number, n: number): number {
  let v = 0;
  for (let i = from; i < from + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** "YYYY-MM-DD HH:MM:SS" (or with a T) naming a real day and time. */
function validTimestamp(t: string): boolean {
  if (t.length !== 19 || t[4] !== "-" || t[7] !== "-" || (t[10] !== " " && t[10] !== "T") || t[13] !== ":" || t[16] !== ":") return false;
  const y = digits(t, 0, 4);
  const mo = digits(t, 5, 2);
  const d = digits(t, 8, 2);
  const h = digits(t, 11, 2);
  const mi = digits(t, 14, 2);
  const s = digits(t, 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1]);
}

/** Four decimal octets 0-255, no leading zeros. */
function validIpv4(t: string): boolean {
  let octets = 0;
  let i = 0;
  while (i <= t.length) {
    let j = i;
    while (j < t.length && t.charCodeAt(j) >= 48 && t.charCodeAt(j) <= 57) j++;
    const len = j - i;
    if (len < 1 || len > 3 || (len > 1 && t[i] === "0") || digits(t, i, len) > 255) return false;
    octets++;
    if (j === t.length) break;
    if (t[j] !== "." || octets === 4) return false;
    i = j + 1;
  }
  return octets === 4;
}

const show = (v: unknown): string => (JSON.stringify(v) ?? String(v)).slice(0, 40);

/** Why a field's value is not acceptable, or null; the value to store goes into `out`. */
function checkCell(col: ColumnSpec, obj: Record<string, unknown>, out: CellValue[]): string | null {
  let value = obj[col.name];
  if (value === undefined && !col.optional && !Object.prototype.hasOwnProperty.call(obj, col.name)) return `missing field '${col.name}'`;
  if (value === undefined || (value === "" && col.emptyIsNull)) value = null;
  if (value === null) {
    if (!col.nullable && !col.optional) return `field '${col.name}' is null`;
    out.push(null);
    return null;
  }
  if (col.type === "int") {
    if (typeof value !== "number" || !Number.isInteger(value)) return `field '${col.name}' must be a whole number, got ${show(value)}`;
    if ((col.min !== undefined && value < col.min) || (col.max !== undefined && value > col.max)) {
      return `field '${col.name}' is ${value}, outside ${col.min ?? "-inf"}..${col.max ?? "inf"}`;
    }
    out.push(value);
    return null;
  }
  if (typeof value !== "string") return `field '${col.name}' must be text, got ${typeof value}`;
  if (col.maxLength !== undefined && value.length > col.maxLength) return `field '${col.name}' is longer than ${col.maxLength} characters`;
  if (col.type === "timestamp" && !validTimestamp(value)) return `field '${col.name}' is not a time 'YYYY-MM-DD HH:MM:SS': ${show(value)}`;
  if (col.type === "ipv4" && !validIpv4(value)) return `field '${col.name}' is not an IPv4 address: ${show(value)}`;
  out.push(value);
  return null;
}

/** Checks one message's bytes against the schema: the values in column order, or why not. */
export function checkRecord(schema: RecordSchema, bytes: Buffer | null, maxRecordBytes: number): Checked {
  if (bytes === null || bytes.length === 0) return { ok: false, reason: "empty message (no value)" };
  if (bytes.length > maxRecordBytes) return { ok: false, reason: `oversized: ${bytes.length} bytes, limit ${maxRecordBytes}` };
  // isUtf8 is a fast validity scan; toString would replace bad sequences instead of failing.
  if (!isUtf8(bytes)) return { ok: false, reason: "not valid UTF-8 (binary or truncated text)" };
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message.slice(0, 80)}` };
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return { ok: false, reason: "not a JSON object" };
  const obj = parsed as Record<string, unknown>;
  const values: CellValue[] = [];
  for (const col of schema.columns) {
    const reason = checkCell(col, obj, values);
    if (reason !== null) return { ok: false, reason };
  }
  return { ok: true, values };
}
