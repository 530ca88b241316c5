// Typed Arrow column builders for one row group at a time. They parse CSV fields straight from
// the input bytes (no string per field, which is where a general CSV parser spends its time) and
// hand Arrow its buffers as they are: typed arrays plus a validity bitmap.
import * as arrow from "apache-arrow";
import type { ColumnSpec } from "./column-specs";

export { COLUMN_TYPES, checkColumns, type ColumnSpec, type ColumnType } from "./column-specs";

/** A value that does not parse as its column's type; the reader adds the source and line. */
export class FieldError extends Error {}

const MINUS = 45, DOT = 46, ZERO = 48, NINE = 57, SPACE = 32, T = 84;
const TWO_32 = 4294967296;

function text(buf: Uint8Array, start: number, end: number): string {
  return Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("utf8");
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(buf: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = buf[i] - ZERO;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** "YYYY-MM-DD HH:MM:SS[.ffffff]" (or with a T) as microseconds since the epoch, naive (no zone). */
export function parseTimestampMicros(buf: Uint8Array, start: number, end: number): number {
  const len = end - start;
  if (len >= 19 && buf[start + 4] === MINUS && buf[start + 7] === MINUS && (buf[start + 10] === SPACE || buf[start + 10] === T)
    && buf[start + 13] === 58 && buf[start + 16] === 58) {
    const y = digits(buf, start, 4), mo = digits(buf, start + 5, 2), d = digits(buf, start + 8, 2);
    const h = digits(buf, start + 11, 2), mi = digits(buf, start + 14, 2), s = digits(buf, start + 17, 2);
    let micros = 0;
    const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
    let ok = y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= DAYS_IN_MONTH[mo - 1] && (mo !== 2 || d < 29 || leap) && h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 60;
    if (ok && len > 19) {
      const frac = len - 20;
      ok = buf[start + 19] === DOT && frac >= 1 && frac <= 6;
      const f = ok ? digits(buf, start + 20, frac) : -1;
      ok = ok && f >= 0;
      micros = f * 10 ** (6 - frac);
    }
    if (ok) return ((daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s) * 1e6) + micros;
  }
  throw new FieldError(`'${text(buf, start, end)}' is not a timestamp (YYYY-MM-DD HH:MM:SS)`);
}

/** A decimal as a double: exact for up to 15 significant digits (one division, correctly rounded). */
export function parseNumber(buf: Uint8Array, start: number, end: number, integer: boolean): number {
  let i = start;
  let negative = false;
  if (buf[i] === MINUS) {
    negative = true;
    i++;
  } else if (buf[i] === 43) i++;
  let mantissa = 0;
  let count = 0;
  let scale = -1;
  for (; i < end; i++) {
    const c = buf[i];
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      count++;
      if (scale >= 0) scale++;
    } else if (c === DOT && scale < 0) scale = 0;
    else break;
  }
  if (i === end && count > 0 && count <= 15) {
    const v = scale > 0 ? mantissa / 10 ** scale : mantissa;
    if (integer && !Number.isInteger(v)) throw new FieldError(`'${text(buf, start, end)}' is not an integer`);
    return negative ? -v : v;
  }
  // Exponents, long mantissas: the general parser.
  const raw = text(buf, start, end).trim();
  const v = raw === "" ? NaN : Number(raw);
  if (!Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new FieldError(`'${raw}' is not ${integer ? "an integer" : "a number"}`);
  return v;
}

/** One column of one row group. */
export interface ColumnBuilder {
  readonly spec: ColumnSpec;
  /** A CSV field's bytes; an empty field is null. */
  pushField(buf: Uint8Array, start: number, end: number): void;
  /** A value read from another Arrow source (Parquet input); null is null. */
  pushValue(value: unknown): void;
  pushNull(): void;
  /** The row group's Arrow data; the builder starts over. */
  finish(): arrow.Data;
}

abstract class FixedBuilder<A extends Int32Array | Float64Array> implements ColumnBuilder {
  protected length = 0;
  protected nulls = 0;
  protected valid: Uint8Array;
  protected values: A;

  constructor(readonly spec: ColumnSpec, protected readonly capacity: number, private readonly make: (n: number) => A, private readonly type: arrow.DataType) {
    this.values = make(this.slots(capacity));
    this.valid = new Uint8Array(Math.ceil(capacity / 8));
  }

  protected slots(rows: number): number {
    return rows;
  }

  abstract pushField(buf: Uint8Array, start: number, end: number): void;
  abstract pushValue(value: unknown): void;

  pushNull(): void {
    this.nulls++;
    this.length++;
  }

  protected markValid(): void {
    this.valid[this.length >> 3] |= 1 << (this.length & 7);
    this.length++;
  }

  finish(): arrow.Data {
    const length = this.length;
    const data = arrow.makeData({
      type: this.type, length, nullCount: this.nulls,
      data: this.values.subarray(0, this.slots(length)) as never,
      nullBitmap: this.nulls ? this.valid.subarray(0, Math.ceil(length / 8)) : undefined,
    } as never) as arrow.Data;
    this.values = this.make(this.slots(this.capacity));
    this.valid = new Uint8Array(Math.ceil(this.capacity / 8));
    this.length = 0;
    this.nulls = 0;
    return data;
  }
}

class Int32Builder extends FixedBuilder<Int32Array> {
  constructor(spec: ColumnSpec, capacity: number) {
    super(spec, capacity, (n) => new Int32Array(n), new arrow.Int32());
  }
  pushField(buf: Uint8Array, start: number, end: number): void {
    const v = parseNumber(buf, start, end, true);
    if (v > 2147483647 || v < -2147483648) throw new FieldError(`${v} does not fit a 32-bit integer`);
    this.values[this.length] = v;
    this.markValid();
  }
  pushValue(value: unknown): void {
    if (value === null || value === undefined) return this.pushNull();
    this.values[this.length] = Number(value);
    this.markValid();
  }
}

class Float64Builder extends FixedBuilder<Float64Array> {
  constructor(spec: ColumnSpec, capacity: number) {
    super(spec, capacity, (n) => new Float64Array(n), new arrow.Float64());
  }
  pushField(buf: Uint8Array, start: number, end: number): void {
    this.values[this.length] = parseNumber(buf, start, end, false);
    this.markValid();
  }
  pushValue(value: unknown): void {
    if (value === null || value === undefined) return this.pushNull();
    this.values[this.length] = Number(value);
    this.markValid();
  }
}

/** 64-bit values written as two 32-bit halves: no BigInt per value. */
class Int64Builder extends FixedBuilder<Int32Array> {
  constructor(spec: ColumnSpec, capacity: number, type: arrow.DataType, private readonly parse: (buf: Uint8Array, s: number, e: number) => number, private readonly scale: number) {
    super(spec, capacity, (n) => new Int32Array(n), type);
  }
  protected override slots(rows: number): number {
    return rows * 2;
  }
  private put(v: number): void {
    const hi = Math.floor(v / TWO_32);
    this.values[this.length * 2] = (v - hi * TWO_32) | 0;
    this.values[this.length * 2 + 1] = hi;
    this.markValid();
  }
  pushField(buf: Uint8Array, start: number, end: number): void {
    this.put(this.parse(buf, start, end));
  }
  pushValue(value: unknown): void {
    if (value === null || value === undefined) return this.pushNull();
    // Arrow JS reads timestamps as epoch milliseconds and int64 as bigint.
    this.put(typeof value === "bigint" ? Number(value) * this.scale : Math.round(Number(value) * this.scale));
  }
  override finish(): arrow.Data {
    const length = this.length;
    const data = super.finish();
    // makeData saw an Int32Array; give it the 64-bit view of the same bytes.
    const values = data.values as unknown as Int32Array;
    return arrow.makeData({
      type: data.type, length, nullCount: data.nullCount,
      data: new BigInt64Array(values.buffer, values.byteOffset, length) as never,
      nullBitmap: data.nullBitmap,
    } as never) as arrow.Data;
  }
}

class Utf8Builder implements ColumnBuilder {
  private length = 0;
  private nulls = 0;
  private bytes = 0;
  private offsets: Int32Array;
  private data: Uint8Array;
  private valid: Uint8Array;

  constructor(readonly spec: ColumnSpec, private readonly capacity: number) {
    this.offsets = new Int32Array(capacity + 1);
    this.data = new Uint8Array(capacity * 4);
    this.valid = new Uint8Array(Math.ceil(capacity / 8));
  }

  private append(buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.bytes + n > this.data.length) {
      const grown = new Uint8Array(Math.max(this.data.length * 2, this.bytes + n));
      grown.set(this.data.subarray(0, this.bytes));
      this.data = grown;
    }
    this.data.set(buf.subarray(start, end), this.bytes);
    this.bytes += n;
    this.valid[this.length >> 3] |= 1 << (this.length & 7);
    this.length++;
    this.offsets[this.length] = this.bytes;
  }

  pushField(buf: Uint8Array, start: number, end: number): void {
    this.append(buf, start, end);
  }

  pushValue(value: unknown): void {
    if (value === null || value === undefined) return this.pushNull();
    const b = Buffer.from(String(value), "utf8");
    this.append(b, 0, b.length);
  }

  pushNull(): void {
    this.nulls++;
    this.length++;
    this.offsets[this.length] = this.bytes;
  }

  finish(): arrow.Data {
    const length = this.length;
    const data = arrow.makeData({
      type: new arrow.Utf8(), length, nullCount: this.nulls,
      valueOffsets: this.offsets.subarray(0, length + 1), data: this.data.subarray(0, this.bytes),
      nullBitmap: this.nulls ? this.valid.subarray(0, Math.ceil(length / 8)) : undefined,
    });
    this.offsets = new Int32Array(this.capacity + 1);
    this.data = new Uint8Array(this.capacity * 4);
    this.valid = new Uint8Array(Math.ceil(this.capacity / 8));
    this.length = 0;
    this.nulls = 0;
    this.bytes = 0;
    return data;
  }
}

export function columnBuilder(spec: ColumnSpec, capacity: number): ColumnBuilder {
  switch (spec.type) {
    case "int32": return new Int32Builder(spec, capacity);
    case "float64": return new Float64Builder(spec, capacity);
    case "string": return new Utf8Builder(spec, capacity);
    case "int64": return new Int64Builder(spec, capacity, new arrow.Int64(), (b, s, e) => parseNumber(b, s, e, true), 1);
    case "timestamp": return new Int64Builder(spec, capacity, new arrow.TimestampMicrosecond(), parseTimestampMicros, 1000);
  }
}

/** The row group as an Arrow table, in the schema's column order. */
export function finishBatch(builders: readonly ColumnBuilder[]): arrow.Table {
  const children: Record<string, arrow.Vector> = {};
  for (const b of builders) children[b.spec.name] = arrow.makeVector(b.finish());
  return new arrow.Table(children);
}
