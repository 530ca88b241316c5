// The parquetize code path without services: CSV bytes to typed Parquet row groups and back,
// RFC 4180 quoting, and failures that name the line and never finish a file.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { PassThrough, Readable, Writable } from "node:stream";
import { gzipSync } from "node:zlib";
import * as arrow from "apache-arrow";
import { readParquet } from "parquet-wasm";
import { parseNumber, parseTimestampMicros } from "../../../functions/activities/parquet/columns";
import { csvToParquet } from "../../../functions/activities/parquet/convert";
import { taxiCsvChunks, taxiRows } from "../../../tools/fixtures";
import { YELLOW_TAXI_COLUMNS } from "../../../orchestrations/ny_taxi_ingest";

function collect(): { sink: Writable; bytes: () => Buffer; ended: () => boolean } {
  const parts: Buffer[] = [];
  let ended = false;
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      parts.push(chunk);
      done();
    },
    final(done) {
      ended = true;
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(parts), ended: () => ended };
}

const bytesOf = (text: string) => Buffer.from(text, "utf8");

describe("CSV to Parquet (parquetize's code path)", () => {
  it("writes one row group per row_group_rows, with the declared types and every value", async () => {
    const csv = [...taxiCsvChunks("unit", "2021-02", 2000)].join("");
    const out = collect();
    const r = await csvToParquet(Readable.from([gzipSync(bytesOf(csv))]), "csv.gz", out.sink, { columns: YELLOW_TAXI_COLUMNS, rowGroupRows: 500, source: "unit.csv.gz" });
    assert.deepEqual({ rows: r.rows, rowGroups: r.rowGroups }, { rows: 2000, rowGroups: 4 });
    const table = arrow.tableFromIPC(readParquet(out.bytes()).intoIPCStream());
    assert.equal(table.numRows, 2000);
    const rows = [...taxiRows("unit", "2021-02", 2000)];
    for (const i of [0, 777, 1999]) {
      const got = table.get(i)!.toJSON() as Record<string, unknown>;
      rows[i].forEach((v, c) => {
        const name = YELLOW_TAXI_COLUMNS[c].name;
        const expected = name.includes("datetime") ? Date.parse(`${String(v).replace(" ", "T")}Z`) : v;
        assert.equal(got[name], expected, `row ${i} ${name}`);
      });
    }
    assert.ok(rows.some((r) => r[0] === null) && table.getChild("VendorID")!.nullCount > 0, "empty fields are nulls");
  });

  it("reads quoted fields (commas, doubled quotes, line breaks) and CRLF line ends", async () => {
    const csv = 'id,name,at\r\n1,"Smith, ""Jr""",2021-01-01 00:00:01\r\n2,"two\nlines",2021-01-01 00:00:02.5\r\n3,,2021-01-01 00:00:03\r\n';
    const out = collect();
    const columns = [{ name: "id", type: "int64" as const }, { name: "name", type: "string" as const }, { name: "at", type: "timestamp" as const }];
    await csvToParquet(Readable.from([bytesOf(csv)]), "csv", out.sink, { columns, rowGroupRows: 10, source: "q.csv" });
    const t = arrow.tableFromIPC(readParquet(out.bytes()).intoIPCStream());
    assert.deepEqual(t.toArray().map((r) => r.toJSON()), [
      { id: 1n, name: 'Smith, "Jr"', at: Date.UTC(2021, 0, 1, 0, 0, 1) },
      { id: 2n, name: "two\nlines", at: Date.UTC(2021, 0, 1, 0, 0, 2, 500) },
      { id: 3n, name: null, at: Date.UTC(2021, 0, 1, 0, 0, 3) },
    ]);
  });

  it("gives the same rows however the input is cut into chunks (quoted line breaks across cuts included)", async () => {
    const body = 'id,name,at\n1,"a, ""b""",2021-01-01 00:00:01\n2,"x\ny\nz",2021-01-01 00:00:02\n3,plain,2021-01-01 00:00:03\r\n4,"",2021-01-01 00:00:04\n';
    const columns = [{ name: "id", type: "int32" as const }, { name: "name", type: "string" as const }, { name: "at", type: "timestamp" as const }];
    const rowsOf = async (chunks: Buffer[]) => {
      const out = collect();
      await csvToParquet(Readable.from(chunks), "csv", out.sink, { columns, rowGroupRows: 2, source: "c.csv" });
      return arrow.tableFromIPC(readParquet(out.bytes()).intoIPCStream()).toArray().map((r) => JSON.stringify(r.toJSON()));
    };
    const whole = await rowsOf([bytesOf(body)]);
    assert.equal(whole.length, 4);
    assert.equal((JSON.parse(whole[1]) as { name: string }).name, "x\ny\nz");
    assert.equal((JSON.parse(whole[0]) as { name: string }).name, 'a, "b"');
    for (const size of [1, 2, 3, 5, 7, 11, 16]) {
      const bytes = bytesOf(body);
      const chunks: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      assert.deepEqual(await rowsOf(chunks), whole, `chunks of ${size} byte(s)`);
    }
  });

  it("a bad line after the first row group fails naming the source and line, and the sink never gets an end", async () => {
    const lines = [...taxiCsvChunks("unit", "2021-03", 300)].join("").split("\n");
    lines[250] = lines[250].replace(/,\d+\.\d+,/, ",12.x,");
    const out = collect();
    const input = new PassThrough();
    input.end(bytesOf(lines.join("\n")));
    await assert.rejects(
      csvToParquet(input, "csv", out.sink, { columns: YELLOW_TAXI_COLUMNS, rowGroupRows: 100, source: "bad.csv" }),
      /bad\.csv line 251: column \w+: '12\.x' is not a number/,
    );
    assert.equal(out.ended(), false, "no complete file was handed on");
  });

  it("a missing column and a ragged row are named with their line", async () => {
    const columns = [{ name: "a", type: "int32" as const }, { name: "b", type: "float64" as const }];
    await assert.rejects(csvToParquet(Readable.from([bytesOf("a,c\n1,2\n")]), "csv", collect().sink, { columns, rowGroupRows: 10, source: "x.csv" }), /x\.csv line 1: the header has no column 'b'/);
    await assert.rejects(csvToParquet(Readable.from([bytesOf("a,b\n1,2\n3\n")]), "csv", collect().sink, { columns, rowGroupRows: 10, source: "x.csv" }), /x\.csv line 3: 1 field\(s\), the header has 2/);
  });

  it("parses decimals exactly and timestamps strictly", () => {
    const at = (s: string) => parseTimestampMicros(bytesOf(s), 0, s.length);
    const num = (s: string, integer = false) => parseNumber(bytesOf(s), 0, s.length, integer);
    assert.equal(num("11.8"), 11.8);
    assert.equal(num("-0.30"), -0.3);
    assert.equal(num("2.10"), 2.1);
    assert.equal(num("1e3"), 1000);
    assert.equal(num("42", true), 42);
    assert.throws(() => num("4.5", true), /not an integer/);
    assert.throws(() => num("abc"), /not a number/);
    assert.equal(at("2021-01-31 23:59:59"), Date.UTC(2021, 0, 31, 23, 59, 59) * 1000);
    assert.equal(at("2020-02-29T12:00:00.000123"), Date.UTC(2020, 1, 29, 12) * 1000 + 123);
    assert.throws(() => at("2021-02-30 00:00:00"), /not a timestamp/);
    assert.throws(() => at("2021-02-29 00:00:00"), /not a timestamp/);
    assert.throws(() => at("2021-01-07 8:15 PM"), /not a timestamp/);
  });
});
