// ny_taxi_ingest end to end on the local runtime, downloading from a local stand-in for the NYC TLC
// trip-record files (tools/fixtures): Parquet in the lake (Azurite) and rows in Postgres checked
// against the generated month; a month loaded again replaces itself; bad files fail the right task
// with the source and line, after the configured retries, and load nothing.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as arrow from "apache-arrow";
import { BlobServiceClient } from "@azure/storage-blob";
import { readParquet } from "parquet-wasm";
import { Client } from "pg";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { badTimestampLine, taxiRows } from "../../tools/fixtures";
import { rerunDate, startTestRuntime, type FinishedRun } from "../support/dag-runs";
import { azuriteConnectionString, needService, pgConfig } from "../support/services";
import { startSources } from "../support/source-fixtures";

const ROWS = 1500;

/** A month of its own per test run (the ledger and the warehouse outlive test runs). */
function freshMonth(offset: number): { month: string; logicalDate: string } {
  const base = Math.floor(Math.random() * 800) * 12 + 1000 * 12;
  const y = Math.floor((base + offset) / 12);
  const m = ((base + offset) % 12) + 1;
  const month = `${y}-${String(m).padStart(2, "0")}`;
  return { month, logicalDate: `${month}-02T07:00:00Z` };
}

function fixtureTotals(seed: string, month: string): { rows: number; total: number; firstPickup: string } {
  let total = 0;
  let rows = 0;
  let firstPickup = "";
  for (const r of taxiRows(seed, month, ROWS)) {
    if (!rows) firstPickup = String(r[1]);
    total += r[16] as number;
    rows++;
  }
  return { rows, total: Math.round(total * 100) / 100, firstPickup };
}

describe("ny_taxi_ingest (local stand-in for the NYC TLC trip-record files)", () => {
  let rt: LocalDagRuntime;
  let pg: Client;
  let sources: Awaited<ReturnType<typeof startSources>>;
  const blobs = () => BlobServiceClient.fromConnectionString(azuriteConnectionString());

  before(async (t) => {
    const ctx = t as unknown as TestContext;
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    sources = await startSources({ taxiRows: ROWS, seed: "taxi-test" });
    rt = await startTestRuntime();
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
    await pg?.end();
    await sources?.close();
  });

  async function warehouse(month: string): Promise<{ rows: number; total: number; firstPickup: string | null }> {
    const r = await pg.query(
      `SELECT count(*)::int AS rows, round(sum(total_amount)::numeric, 2)::float8 AS total,
              to_char(min(tpep_pickup_datetime), 'YYYY-MM-DD HH24:MI:SS') AS first
       FROM yellow_taxi_trips WHERE data_month = $1`, [month]);
    return { rows: r.rows[0].rows, total: r.rows[0].total ?? 0, firstPickup: r.rows[0].first };
  }

  async function lakeFile(month: string): Promise<arrow.Table | null> {
    const blob = blobs().getContainerClient("datalake").getBlobClient(`raw/yellow_tripdata/${month}.parquet`);
    if (!(await blob.exists())) return null;
    return arrow.tableFromIPC(readParquet(await blob.downloadToBuffer()).intoIPCStream());
  }

  /** The bad file is kept under quarantine/ in its container, byte for byte, with the reason beside it. */
  async function assertQuarantined(blob: string, reason: RegExp): Promise<void> {
    const container = blobs().getContainerClient("ny-taxi-staging");
    const original = await container.getBlobClient(blob).downloadToBuffer();
    const kept = await container.getBlobClient(`quarantine/${blob}`).downloadToBuffer();
    assert.ok(kept.equals(original), "the quarantined copy is the file that failed");
    assert.match((await container.getBlobClient(`quarantine/${blob}.reason.txt`).downloadToBuffer()).toString(), reason);
  }

  const clearAndRun = (logicalDate: string, conf: Record<string, unknown> = {}): Promise<FinishedRun> => rerunDate(rt, "ny_taxi_ingest", logicalDate, conf);

  it("loads a month of gzip CSV as typed Parquet into the lake and the warehouse; loading it again replaces it", async () => {
    sources.use();
    const { month, logicalDate } = freshMonth(0);
    const expected = fixtureTotals(sources.seed, month);
    const r = await clearAndRun(logicalDate);
    assert.equal(r.output.state, "success", JSON.stringify(r.tasks.map((x) => [x.task_id, x.state, x.error])));
    assert.deepEqual(r.tasks.map((x) => [x.task_id, x.state]).sort(), [["download", "success"], ["load_to_warehouse", "success"], ["parquetize", "success"], ["upload_to_lake", "success"]]);
    assert.ok(sources.requests.includes(`/DataTalksClub/nyc-tlc-data/releases/download/yellow/yellow_tripdata_${month}.csv.gz`));
    const parquetized = JSON.parse(r.ti("parquetize").xcom ?? "null") as { rows: number; format: string };
    assert.equal(parquetized.rows, ROWS);
    assert.equal(parquetized.format, "csv.gz");

    const lake = await lakeFile(month);
    assert.ok(lake, "the lake holds the month's Parquet file");
    assert.equal(lake.numRows, ROWS);
    const types = Object.fromEntries(lake.schema.fields.map((f) => [f.name, String(f.type)]));
    assert.equal(types.VendorID, "Int32");
    assert.equal(types.tpep_pickup_datetime, "Timestamp<MICROSECOND>");
    assert.equal(types.trip_distance, "Float64");
    assert.equal(types.store_and_fwd_flag, "Utf8");
    assert.equal(lake.schema.fields.length, 18);

    const loaded = await warehouse(month);
    assert.deepEqual(loaded, { rows: expected.rows, total: expected.total, firstPickup: expected.firstPickup });

    const again = await clearAndRun(logicalDate);
    assert.equal(again.output.state, "success");
    assert.deepEqual(JSON.parse(again.ti("load_to_warehouse").xcom ?? "null"), { rows: ROWS, replaced: ROWS, row_groups: 1 });
    assert.deepEqual(await warehouse(month), loaded, "the second load replaced the month instead of adding to it");
  });

  it("accepts the TLC site's Parquet files and plain CSV, with the same rows as the gzip CSV", async () => {
    const { month, logicalDate } = freshMonth(1);
    const expected = fixtureTotals(sources.seed, month);
    // The TLC's own site: Parquet under trip-data/, at the server's root.
    process.env.AIRFLOW_CONN_NYC_TLC = sources.url;
    const parquet = await clearAndRun(logicalDate, { path: "trip-data", format: "parquet" });
    assert.equal(parquet.output.state, "success", JSON.stringify(parquet.tasks.map((x) => [x.task_id, x.error])));
    assert.equal((JSON.parse(parquet.ti("parquetize").xcom ?? "null") as { format: string }).format, "parquet");
    assert.deepEqual(await warehouse(month), { rows: expected.rows, total: expected.total, firstPickup: expected.firstPickup });
    const csv = await clearAndRun(logicalDate, { path: "trip-data", format: "csv" });
    assert.equal(csv.output.state, "success");
    assert.equal((JSON.parse(csv.ti("parquetize").xcom ?? "null") as { format: string }).format, "csv");
    assert.deepEqual(await warehouse(month), { rows: expected.rows, total: expected.total, firstPickup: expected.firstPickup });
    sources.use();
  });

  it("a truncated gzip file fails parquetize naming the file and the line, after 2 retries; the month loaded before stays as it was", async () => {
    const { month, logicalDate } = freshMonth(2);
    sources.use();
    assert.equal((await clearAndRun(logicalDate)).output.state, "success");
    const before = await warehouse(month);
    const lakeBefore = await blobs().getContainerClient("datalake").getBlobClient(`raw/yellow_tripdata/${month}.parquet`).getProperties();
    sources.use("truncated-gzip");
    const r = await clearAndRun(logicalDate);
    sources.use();
    assert.equal(r.output.state, "failed");
    assert.equal(r.ti("download").state, "success");
    const failed = r.ti("parquetize");
    assert.equal(failed.state, "failed");
    assert.equal(failed.try_number, 3, "two retries, as the DAG's default_args say");
    assert.match(failed.error ?? "", new RegExp(`yellow_tripdata_${month}\\.csv\\.gz.*reading stopped after line \\d+: unexpected end of file.*kept in ny-taxi-staging/quarantine/`));
    assert.equal(r.ti("upload_to_lake").state, "upstream_failed");
    assert.equal(r.ti("load_to_warehouse").state, "upstream_failed");
    await assertQuarantined(`downloads/yellow_tripdata_${month}.csv.gz`, /unexpected end of file/);
    assert.deepEqual(await warehouse(month), before);
    const lakeAfter = await blobs().getContainerClient("datalake").getBlobClient(`raw/yellow_tripdata/${month}.parquet`).getProperties();
    assert.equal(lakeAfter.etag, lakeBefore.etag, "the lake file was not touched");
  });

  it("a CSV with a malformed timestamp fails parquetize naming the line and column, and nothing reaches the lake or the warehouse", async () => {
    const { month, logicalDate } = freshMonth(3);
    sources.use("bad-timestamp");
    const r = await clearAndRun(logicalDate);
    sources.use();
    assert.equal(r.output.state, "failed");
    const failed = r.ti("parquetize");
    assert.equal(failed.try_number, 3);
    assert.match(failed.error ?? "", new RegExp(`yellow_tripdata_${month}\\.csv\\.gz.* line ${badTimestampLine(ROWS)}: column tpep_pickup_datetime: '2021-01-07 8:15 PM' is not a timestamp`));
    await assertQuarantined(`downloads/yellow_tripdata_${month}.csv.gz`, new RegExp(`line ${badTimestampLine(ROWS)}: column tpep_pickup_datetime`));
    assert.equal(await lakeFile(month), null);
    assert.equal((await blobs().getContainerClient("ny-taxi-staging").getBlobClient(`parquet/yellow_tripdata_${month}.parquet`).exists()), false, "no half-written Parquet file");
    assert.equal((await warehouse(month)).rows, 0);
  });
});
