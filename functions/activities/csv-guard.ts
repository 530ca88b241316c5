// Checks on a CSV byte stream on its way into COPY, one chunk at a time (memory stays flat): the
// header line is read first so the caller can match it to the table before COPY starts; bytes
// that are not UTF-8 and a last line without its line break (a truncated file) are reported with
// the line they are on. Postgres checks the rest itself as it parses (field counts, types,
// unterminated quotes) and names the line; see badInputFromPostgres.
import { isUtf8 } from "node:buffer";

/** Bad input: the file, the line (1-based, null when not known) and what is wrong there. */
export class BadInputError extends Error {
  override name = "BadInputError";
  constructor(readonly source: string, readonly line: number | null, readonly detail: string) {
    super(`${source}${line === null ? "" : ` line ${line}`}: ${detail}`);
  }
}

const LF = 0x0a;
const MAX_HEADER_BYTES = 1 << 20;

/** Bytes in a UTF-8 sequence from its lead byte; 0 for a byte that cannot lead one. */
function sequenceLength(lead: number): number {
  if (lead < 0x80) return 1;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  return 0;
}

/** Where a chunk's last complete UTF-8 character ends (a character cut by the chunk boundary is carried). */
function completeLength(chunk: Buffer): number {
  for (let back = 1; back <= Math.min(3, chunk.length); back++) {
    const b = chunk[chunk.length - back];
    if ((b & 0xc0) === 0x80) continue;
    const need = sequenceLength(b);
    return need > back ? chunk.length - back : chunk.length;
  }
  return chunk.length;
}

/** The first offset of an invalid sequence in a buffer isUtf8 rejected (only run on failure). */
function firstInvalidOffset(buf: Buffer): number {
  let i = 0;
  while (i < buf.length) {
    const n = sequenceLength(buf[i]);
    if (n === 0 || i + n > buf.length || !isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return buf.length;
}

function countLineBreaks(buf: Buffer, end = buf.length): number {
  let n = 0;
  for (let i = buf.indexOf(LF); i >= 0 && i < end; i = buf.indexOf(LF, i + 1)) n++;
  return n;
}

/** One CSV line split into fields (quotes as Postgres's CSV format reads them). */
export function splitCsvLine(line: string, delimiter: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      fields.push(field);
      field = "";
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export interface CsvGuardOptions {
  source: string;
  delimiter: string;
  /** The last line must end with a line break: a file cut short fails instead of loading a partial row. */
  requireFinalNewline: boolean;
}

export class CsvGuard {
  private readonly iterator: AsyncIterator<Buffer>;
  private pending: Buffer[] = [];
  /** Line breaks passed on so far. */
  private lineBreaks = 0;
  private carry = Buffer.alloc(0);
  private lastByte = -1;
  bytes = 0;

  constructor(stream: AsyncIterable<Buffer>, private readonly options: CsvGuardOptions) {
    this.iterator = stream[Symbol.asyncIterator]();
  }

  /** Reads up to the first line break and returns the header's names; those bytes still go to COPY. */
  async readHeader(): Promise<string[]> {
    let seen = 0;
    for (;;) {
      const joined = Buffer.concat(this.pending);
      const lf = joined.indexOf(LF);
      if (lf >= 0 || seen > MAX_HEADER_BYTES) {
        const end = lf >= 0 ? lf : joined.length;
        const head = joined.subarray(0, end);
        if (!isUtf8(head)) throw new BadInputError(this.options.source, 1, "the header is not valid UTF-8");
        const text = head.toString("utf8").replace(/^\uFEFF/, "").replace(/\r$/, "");
        if (lf < 0) throw new BadInputError(this.options.source, 1, `the header line is longer than ${MAX_HEADER_BYTES} bytes`);
        return splitCsvLine(text, this.options.delimiter).map((h) => h.trim());
      }
      const next = await this.iterator.next();
      if (next.done) {
        if (!joined.length) throw new BadInputError(this.options.source, 1, "the file is empty (no header line)");
        // The header is the whole file (no line break): the checks of checked() still apply to it.
        this.pending = [joined];
        if (!isUtf8(joined)) throw new BadInputError(this.options.source, 1, "the header is not valid UTF-8");
        return splitCsvLine(joined.toString("utf8").replace(/^\uFEFF/, "").replace(/\r$/, ""), this.options.delimiter).map((h) => h.trim());
      }
      seen += next.value.length;
      this.pending.push(next.value);
    }
  }

  private check(chunk: Buffer): void {
    let body = chunk;
    if (this.carry.length) {
      const need = sequenceLength(this.carry[0]) - this.carry.length;
      const joined = Buffer.concat([this.carry, chunk.subarray(0, Math.max(0, need))]);
      if (joined.length < this.carry.length + need) {
        this.carry = joined;
        this.count(chunk);
        return;
      }
      if (!isUtf8(joined)) throw this.notUtf8(joined, 0);
      body = chunk.subarray(need);
      this.carry = Buffer.alloc(0);
    }
    const end = completeLength(body);
    if (!isUtf8(body.subarray(0, end))) {
      const at = firstInvalidOffset(body.subarray(0, end));
      throw this.notUtf8(body, at, chunk);
    }
    this.carry = Buffer.from(body.subarray(end));
    this.count(chunk);
  }

  private count(chunk: Buffer): void {
    this.lineBreaks += countLineBreaks(chunk);
    if (chunk.length) this.lastByte = chunk[chunk.length - 1];
    this.bytes += chunk.length;
  }

  private notUtf8(buf: Buffer, at: number, chunk?: Buffer): BadInputError {
    // Line breaks of this chunk before the bad byte (the chunk's own count is not added yet).
    const before = chunk ? countLineBreaks(chunk, chunk.length - buf.length + at) : 0;
    const line = this.lineBreaks + before + 1;
    const bytes = [...buf.subarray(at, at + 4)].map((b) => `0x${b.toString(16).padStart(2, "0")}`).join(" ");
    return new BadInputError(this.options.source, line, `bytes that are not UTF-8 (${bytes}); save the file as UTF-8`);
  }

  /** The stream with the checks applied, header bytes included; throws BadInputError where they fail. */
  async *checked(): AsyncGenerator<Buffer> {
    for (const chunk of this.pending) {
      this.check(chunk);
      yield chunk;
    }
    this.pending = [];
    for (;;) {
      const next = await this.iterator.next();
      if (next.done) break;
      this.check(next.value);
      yield next.value;
    }
    if (this.carry.length) throw new BadInputError(this.options.source, this.lineBreaks + 1, "the file ends inside a UTF-8 character: it looks truncated");
    if (this.options.requireFinalNewline && this.bytes > 0 && this.lastByte !== LF) {
      throw new BadInputError(this.options.source, this.lineBreaks + 1, "the last line has no line break at its end: the file looks truncated");
    }
  }
}

interface PostgresError {
  code?: string;
  where?: string;
  message: string;
}

/** SQLSTATEs that mean the file's content is wrong: data exceptions (class 22), NOT NULL and CHECK violations. */
function isDataError(code: string | undefined): boolean {
  return !!code && (code.startsWith("22") || code === "23502" || code === "23514");
}

/** A Postgres COPY error caused by the file's content, as a BadInputError naming the line and column. */
export function badInputFromPostgres(err: unknown, source: string): BadInputError | undefined {
  const e = err as PostgresError;
  if (!e || typeof e.message !== "string" || !isDataError(e.code)) return undefined;
  const where = e.where ?? "";
  const line = /\bline (\d+)/.exec(where);
  const column = /\bcolumn (\w+)/.exec(where);
  return new BadInputError(source, line ? Number(line[1]) : null, `${column ? `column ${column[1]}: ` : ""}${e.message}`);
}
