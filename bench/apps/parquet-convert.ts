// One CSV-to-Parquet conversion through parquetize's code path (csvToParquet, the DAG's yellow-taxi
// columns, the operator's default row group size), in a process of its own so its peak resident
// memory is its own. Prints one JSON line: seconds, rows, peak_rss_mb and where the time went.
import * as fs from "node:fs";
import { Readable, Writable } from "node:stream";
import * as arrow from "apache-arrow";
import { csvBatches } from "../../functions/activities/parquet/csv-batches";
import { parquetByteStream } from "../../functions/activities/parquet/parquet-io";
import { csvToParquet } from "../../functions/activities/parquet/convert";
import { DEFAULT_ROW_GROUP_ROWS } from "../../functions/activities/parquetize";
import { YELLOW_TAXI_COLUMNS } from "../../orchestrations/ny_taxi_ingest";

function peakRssMb(): number {
  // VmHWM: the kernel's high-water mark of resident memory for this process.
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : process.memoryUsage().rss / 1048576;
}

/** Only the CSV side (bytes to typed Arrow row groups), to split the time between parsing and encoding. */
async function parseOnly(input: string): Promise<void> {
  const started = process.hrtime.bigint();
  let rows = 0;
  const batches = csvBatches(fs.createReadStream(input, { highWaterMark: 1 << 20 }), { columns: YELLOW_TAXI_COLUMNS, rowGroupRows: DEFAULT_ROW_GROUP_ROWS, source: input });
  for await (const batch of batches) rows += batch.numRows;
  console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - started) / 1e9, rows, peak_rss_mb: peakRssMb() }));
}

/** Only the Parquet side: row groups parsed beforehand (not timed), then encoded to nowhere. */
async function encodeOnly(input: string): Promise<void> {
  const ipcs: Uint8Array[] = [];
  for await (const batch of csvBatches(fs.createReadStream(input, { highWaterMark: 1 << 20 }), { columns: YELLOW_TAXI_COLUMNS, rowGroupRows: DEFAULT_ROW_GROUP_ROWS, source: input })) {
    ipcs.push(arrow.tableToIPC(batch, "stream"));
  }
  const started = process.hrtime.bigint();
  const parquet = await parquetByteStream((async function* () { yield* ipcs; })(), DEFAULT_ROW_GROUP_ROWS, {
    plainColumns: YELLOW_TAXI_COLUMNS.filter((c) => c.type === "timestamp").map((c) => c.name),
  });
  let bytes = 0;
  for await (const chunk of parquet.bytes as unknown as AsyncIterable<Uint8Array>) bytes += chunk.length;
  console.log(JSON.stringify({ seconds: Number(process.hrtime.bigint() - started) / 1e9, rows: 0, bytes, peak_rss_mb: peakRssMb() }));
}

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  if (output === "--parse-only") return parseOnly(input);
  if (output === "--encode-only") return encodeOnly(input);
  // Time spent producing bytes vs. consuming them: reading the file is timed on its own stream.
  let readNs = 0n;
  const file = fs.createReadStream(input, { highWaterMark: 1 << 20 });
  const timedRead = Readable.from((async function* () {
    const it = file[Symbol.asyncIterator]();
    for (;;) {
      const t = process.hrtime.bigint();
      const next = await it.next();
      readNs += process.hrtime.bigint() - t;
      if (next.done) return;
      yield next.value as Buffer;
    }
  })());
  let writeNs = 0n;
  const out = fs.openSync(output, "w");
  const sink = new Writable({
    write(chunk: Buffer, _e, done) {
      const t = process.hrtime.bigint();
      fs.writeSync(out, chunk);
      writeNs += process.hrtime.bigint() - t;
      done();
    },
    final(done) {
      fs.closeSync(out);
      done();
    },
  });
  const started = process.hrtime.bigint();
  const result = await csvToParquet(timedRead, "csv", sink, { columns: YELLOW_TAXI_COLUMNS, rowGroupRows: DEFAULT_ROW_GROUP_ROWS, source: input });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(JSON.stringify({
    seconds, rows: result.rows, row_groups: result.rowGroups, bytes: result.bytes, peak_rss_mb: peakRssMb(),
    read_s: Number(readNs) / 1e9, write_s: Number(writeNs) / 1e9,
  }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
