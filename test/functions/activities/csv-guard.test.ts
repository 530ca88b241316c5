// The CSV stream checks in front of postgresCopy's COPY, on chunked input: multi-byte characters
// cut by every possible chunk boundary pass, bytes that are not UTF-8 are caught on the right line
// wherever they fall, the header is read across chunks without losing bytes, and a missing final
// line break is reported as a truncated file only when asked for.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { BadInputError, badInputFromPostgres, CsvGuard, splitCsvLine } from "../../../functions/activities/csv-guard";

async function* chunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function run(bytes: Buffer, size: number, options: { header?: boolean; final?: boolean } = {}): Promise<{ header?: string[]; out: Buffer }> {
  const guard = new CsvGuard(chunks(bytes, size), { source: "c/f.csv", delimiter: ",", requireFinalNewline: options.final ?? false });
  const header = options.header ? await guard.readHeader() : undefined;
  const parts: Buffer[] = [];
  for await (const c of guard.checked()) parts.push(c);
  return { header, out: Buffer.concat(parts) };
}

const TEXT = Buffer.from("id,name\r\n1,Café\r\n2,5 €\r\n3,\"a, \"\"quoted\"\" 😀\"\r\n", "utf8");

describe("CsvGuard", () => {
  it("passes every byte through unchanged, whatever the chunk size, with multi-byte characters cut anywhere", async () => {
    for (let size = 1; size <= TEXT.length; size++) {
      const { header, out } = await run(TEXT, size, { header: true, final: true });
      assert.deepEqual(header, ["id", "name"], `chunk size ${size}`);
      assert.deepEqual(out, TEXT, `chunk size ${size}`);
    }
  });

  it("finds bytes that are not UTF-8 on their line, wherever the chunks fall", async () => {
    const bad = Buffer.concat([Buffer.from("id,name\n1,ok\n2,ok\n3,Caf"), Buffer.from([0xe9]), Buffer.from(" au lait\n4,ok\n")]);
    for (let size = 1; size <= bad.length; size++) {
      await assert.rejects(run(bad, size, { header: true }), (err: unknown) => {
        assert.ok(err instanceof BadInputError, String(err));
        assert.equal(err.line, 4, `chunk size ${size}`);
        assert.match(err.message, /^c\/f\.csv line 4: bytes that are not UTF-8 \(0xe9 0x20/);
        return true;
      });
    }
    // A file that ends inside a character was cut.
    await assert.rejects(run(Buffer.concat([Buffer.from("a\n€"), Buffer.from([0xe2, 0x82])]), 2), /line 2: the file ends inside a UTF-8 character/);
    // Overlong and surrogate encodings are not UTF-8 either.
    await assert.rejects(run(Buffer.from([0x61, 0x0a, 0xc0, 0xaf, 0x0a]), 3), /line 2: bytes that are not UTF-8 \(0xc0/);
    await assert.rejects(run(Buffer.from([0x61, 0x0a, 0xed, 0xa0, 0x80, 0x0a]), 4), /line 2: bytes that are not UTF-8 \(0xed/);
  });

  it("reports a last line without its line break only when asked, with that line's number", async () => {
    const cut = Buffer.from("id,name\n1,a\n2,b\n3,tru");
    assert.deepEqual((await run(cut, 5, { header: true })).out, cut);
    await assert.rejects(run(cut, 5, { header: true, final: true }), /^BadInputError: c\/f\.csv line 4: the last line has no line break at its end: the file looks truncated$/);
    await assert.rejects(run(Buffer.alloc(0), 4, { header: true }), /line 1: the file is empty/);
  });

  it("reads a header with a BOM, quotes and CRLF", async () => {
    const { header } = await run(Buffer.from('\uFEFF"id", name ,"a,b"\r\n1,2,3\r\n', "utf8"), 3, { header: true });
    assert.deepEqual(header, ["id", "name", "a,b"]);
    assert.deepEqual(splitCsvLine('a|"b|c"|""', "|"), ["a", "b|c", ""]);
  });

  it("turns Postgres data errors into bad input naming line and column, and leaves other errors alone", () => {
    const typed = badInputFromPostgres({ code: "22P02", message: 'invalid input syntax for type integer: "12x"', where: 'COPY in_charge, line 8, column amount: "12x"' }, "c/f.csv");
    assert.equal(typed?.message, 'c/f.csv line 8: column amount: invalid input syntax for type integer: "12x"');
    const short = badInputFromPostgres({ code: "22P04", message: 'missing data for column "status"', where: 'COPY in_charge, line 3: "ch_1,2"' }, "c/f.csv");
    assert.equal(short?.message, 'c/f.csv line 3: missing data for column "status"');
    assert.equal(badInputFromPostgres({ code: "23502", message: "null value", where: "COPY t, line 2" }, "x")?.line, 2);
    assert.equal(badInputFromPostgres({ code: "08006", message: "connection failure" }, "x"), undefined);
    assert.equal(badInputFromPostgres({ code: "23505", message: "duplicate key" }, "x"), undefined);
  });
});
