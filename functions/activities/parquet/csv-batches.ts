// CSV (RFC 4180: quoted fields, "" escapes, CRLF or LF) read as a stream of bytes and cut into
// row groups of typed Arrow columns. Memory holds one row group and one input chunk, whatever the
// file size. Every error names the source and the line it happened on.
import type * as arrow from "apache-arrow";
import { type ColumnBuilder, columnBuilder, type ColumnSpec, FieldError, finishBatch } from "./columns";

const QUOTE = 34, COMMA = 44, LF = 10, CR = 13;

export class CsvInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CsvInputError";
  }
}

export interface CsvBatchOptions {
  columns: readonly ColumnSpec[];
  rowGroupRows: number;
  /** Named in errors: the blob or URL the bytes come from. */
  source: string;
}

export interface CsvProgress {
  rows: number;
  lines: number;
}

export async function* csvBatches(input: AsyncIterable<Uint8Array>, options: CsvBatchOptions, progress: CsvProgress = { rows: 0, lines: 0 }): AsyncGenerator<arrow.Table> {
  const { source, rowGroupRows } = options;
  const builders: ColumnBuilder[] = options.columns.map((c) => columnBuilder(c, rowGroupRows));
  /** For each CSV field position, the builder it feeds (or -1: a column we do not keep). */
  let target: Int32Array | null = null;
  let headerLength = 0;
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let scratch = new Uint8Array(256);
  let pending = 0;
  /** Row groups completed while scanning a chunk, yielded after it. */
  const ready: arrow.Table[] = [];
  let leftover: Uint8Array = new Uint8Array(0);
  let line = 1;

  const fail = (recordLine: number, message: string): never => {
    throw new CsvInputError(`${source} line ${recordLine}: ${message}`);
  };

  const header = (buf: Uint8Array, count: number, recordLine: number): void => {
    const names = Array.from({ length: count }, (_, i) => Buffer.from(buf.buffer, buf.byteOffset + starts[i], ends[i] - starts[i]).toString("utf8").replace(/^\uFEFF/, "").trim());
    target = new Int32Array(count).fill(-1);
    headerLength = count;
    for (const [b, builder] of builders.entries()) {
      const at = names.indexOf(builder.spec.name);
      if (at < 0) fail(recordLine, `the header has no column '${builder.spec.name}' (it has ${names.join(", ")})`);
      target[at] = b;
    }
  };

  const record = (buf: Uint8Array, count: number, recordLine: number): void => {
    if (!target) return header(buf, count, recordLine);
    if (count !== headerLength) fail(recordLine, `${count} field(s), the header has ${headerLength}`);
    if (pending === rowGroupRows) {
      ready.push(finishBatch(builders));
      pending = 0;
    }
    const map = target;
    for (let i = 0; i < count; i++) {
      const b = map[i];
      if (b < 0) continue;
      const s = starts[i], e = ends[i];
      try {
        if (s === e) builders[b].pushNull();
        else builders[b].pushField(buf, s, e);
      } catch (err) {
        if (err instanceof FieldError) fail(recordLine, `column ${builders[b].spec.name}: ${err.message}`);
        throw err;
      }
    }
    pending++;
    progress.rows++;
  };

  /** Scans the complete records of buf; returns where the incomplete tail starts. */
  const scan = (buf: Uint8Array, final: boolean): number => {
    const n = buf.length;
    let pos = 0;
    while (pos < n) {
      const recordStart = pos;
      const recordLine = line;
      let count = 0;
      let i = pos;
      let complete = false;
      let scratchUsed = 0;
      let fieldsIn: Uint8Array = buf;
      for (;;) {
        if (count === starts.length) {
          const grow = (a: Int32Array) => { const g = new Int32Array(a.length * 2); g.set(a); return g; };
          starts = grow(starts);
          ends = grow(ends);
        }
        if (i < n && buf[i] === QUOTE) {
          // A quoted field: copied without its quotes into scratch, "" becoming ".
          i++;
          const fieldStart = scratchUsed;
          let closed = false;
          while (i < n) {
            const c = buf[i];
            if (c === QUOTE) {
              if (i + 1 < n && buf[i + 1] === QUOTE) {
                i++;
              } else if (i + 1 >= n && !final) {
                break;
              } else {
                closed = true;
                i++;
                break;
              }
            } else if (c === LF) line++;
            if (scratchUsed === scratch.length) {
              const g = new Uint8Array(scratch.length * 2);
              g.set(scratch);
              scratch = g;
            }
            scratch[scratchUsed++] = buf[i];
            i++;
          }
          if (!closed) {
            if (final) fail(recordLine, "a quoted field is not closed before the end of the file");
            line = recordLine;
            return recordStart;
          }
          starts[count] = -1 - fieldStart;
          ends[count] = scratchUsed;
          count++;
          fieldsIn = scratch;
          if (i < n && buf[i] === COMMA) {
            i++;
            continue;
          }
          if (i < n && buf[i] === CR) i++;
          if (i < n && buf[i] === LF) {
            i++;
            line++;
            complete = true;
          } else if (i >= n) {
            complete = final;
          } else fail(recordLine, "unexpected text after a closing quote");
          break;
        }
        const fieldStart = i;
        while (i < n && buf[i] !== COMMA && buf[i] !== LF) i++;
        if (i >= n && !final) break;
        let fieldEnd = i;
        if (i < n && buf[i] === COMMA) {
          starts[count] = fieldStart;
          ends[count] = fieldEnd;
          count++;
          i++;
          continue;
        }
        if (fieldEnd > fieldStart && buf[fieldEnd - 1] === CR) fieldEnd--;
        starts[count] = fieldStart;
        ends[count] = fieldEnd;
        count++;
        if (i < n) {
          i++;
          line++;
        }
        complete = true;
        break;
      }
      if (!complete) {
        line = recordLine;
        return recordStart;
      }
      pos = i;
      // A blank line (the last newline of a file, or stray ones) is no record.
      if (count === 1 && starts[0] === ends[0]) continue;
      if (fieldsIn === scratch) {
        // Quoted fields live in scratch: copy the plain ones there too, so all share one buffer.
        for (let f = 0; f < count; f++) {
          if (starts[f] >= 0) {
            const len = ends[f] - starts[f];
            while (scratchUsed + len > scratch.length) {
              const g = new Uint8Array(scratch.length * 2);
              g.set(scratch);
              scratch = g;
            }
            scratch.set(buf.subarray(starts[f], ends[f]), scratchUsed);
            starts[f] = scratchUsed;
            ends[f] = scratchUsed + len;
            scratchUsed += len;
          } else starts[f] = -1 - starts[f];
        }
        record(scratch, count, recordLine);
      } else record(buf, count, recordLine);
      progress.lines = line - 1;
    }
    return n;
  };

  try {
    for await (const chunk of input) {
      let buf = chunk;
      if (leftover.length) {
        // The record cut by the last chunk is completed with this chunk's first line, so the
        // whole chunk is not copied to join them (unless a quoted field spans lines there).
        const lf = chunk.indexOf(LF);
        if (lf < 0) {
          leftover = concat(leftover, chunk);
          continue;
        }
        const head = concat(leftover, chunk.subarray(0, lf + 1));
        const headLine = line;
        if (scan(head, false) === head.length) buf = chunk.subarray(lf + 1);
        else {
          line = headLine;
          buf = concat(leftover, chunk);
        }
      }
      const tail = scan(buf, false);
      // Copied: the input may reuse its chunk's memory.
      leftover = buf.slice(tail);
      while (ready.length) yield ready.shift()!;
    }
  } catch (err) {
    if (err instanceof CsvInputError) throw err;
    throw new CsvInputError(`${source}: reading stopped after line ${line - 1}: ${(err as Error).message}`);
  }
  if (leftover.length) scan(leftover, true);
  if (!target) throw new CsvInputError(`${source}: the file is empty (no header line).`);
  while (ready.length) yield ready.shift()!;
  // A header-only file still gives a (0-row) batch: its Parquet file has the schema and no rows.
  if (pending > 0 || progress.rows === 0) yield finishBatch(builders);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
