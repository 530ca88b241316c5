// Benchmark: one generated month of yellow-taxi trips (1,000,000 rows by default) from CSV to
// Parquet through parquetize's code path, beside pyarrow's CSV-to-Parquet of the same file in the
// same run (pyarrow from bench/requirements.txt in .local/bench-venv). Each side runs in its own
// process, so each peak resident memory is its own; ours is measured again at twice the rows to
// show it stays flat. `npm run bench -- parquet [--rows N]`; the last line is JSON.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { taxiCsvChunks } from "../tools/fixtures";
import { YELLOW_TAXI_COLUMNS } from "../orchestrations/ny_taxi_ingest";
import { DEFAULT_ROW_GROUP_ROWS } from "../functions/activities/parquetize";
import { benchPython } from "../tools/bench/python-venv";

const ROOT = path.resolve(__dirname, "..", "..");
const WORK = path.join(ROOT, ".local", "bench", "parquet");

function rowsOption(argv: string[]): number {
  const at = argv.indexOf("--rows");
  const rows = at >= 0 ? Number(argv[at + 1]) : 1_000_000;
  if (!Number.isInteger(rows) || rows < 1000) throw new Error("--rows must be an integer of at least 1000");
  return rows;
}

/** The month's CSV on disk, generated once per row count (same seed, same bytes). */
function csvFile(rows: number): string {
  const file = path.join(WORK, `yellow_tripdata_2021-01_${rows}.csv`);
  if (fs.existsSync(file)) return file;
  fs.mkdirSync(WORK, { recursive: true });
  const fd = fs.openSync(`${file}.tmp`, "w");
  for (const chunk of taxiCsvChunks("bench", "2021-01", rows, 20_000)) fs.writeSync(fd, chunk);
  fs.closeSync(fd);
  fs.renameSync(`${file}.tmp`, file);
  return file;
}

interface Run {
  seconds: number;
  rows: number;
  peak_rss_mb: number;
  [k: string]: unknown;
}

function runJson(cmd: string, args: string[]): Run {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} ${args[0]} failed: ${r.stderr || r.error?.message}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!) as Run;
}

/** `out` a file path, or "--parse-only" / "--encode-only" to time one side alone. */
function ours(csv: string, out: string): Run {
  return runJson(process.execPath, [path.join(__dirname, "apps", "parquet-convert.js"), csv, out]);
}

function main(): void {
  const rows = rowsOption(process.argv.slice(2));
  const python = benchPython();
  const csv = csvFile(rows);
  const doubleCsv = csvFile(rows * 2);
  const mb = fs.statSync(csv).size / 1048576;
  console.log(`CSV: ${path.relative(ROOT, csv)} (${rows} rows, ${mb.toFixed(1)} MB); row groups of ${DEFAULT_ROW_GROUP_ROWS} rows, Snappy`);
  const columns = JSON.stringify(YELLOW_TAXI_COLUMNS);
  // Alternated and repeated; the best of each is reported (the machine is shared).
  const oursRuns: Run[] = [];
  const arrowRuns: Run[] = [];
  for (let i = 0; i < 3; i++) {
    oursRuns.push(ours(csv, path.join(WORK, "ours.parquet")));
    arrowRuns.push(runJson(python, [path.join(ROOT, "bench", "parquet_pyarrow.py"), csv, path.join(WORK, "pyarrow.parquet"), columns, String(DEFAULT_ROW_GROUP_ROWS)]));
    console.log(`  try ${i + 1}: parquetize ${oursRuns[i].seconds.toFixed(2)} s, ${oursRuns[i].peak_rss_mb.toFixed(0)} MB; pyarrow ${arrowRuns[i].seconds.toFixed(2)} s, ${arrowRuns[i].peak_rss_mb.toFixed(0)} MB`);
  }
  const best = (runs: Run[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const a = best(oursRuns);
  const p = best(arrowRuns);
  if (a.rows !== rows || p.rows !== rows) throw new Error(`row counts differ: parquetize ${a.rows}, pyarrow ${p.rows}, expected ${rows}`);
  // Where the time goes: each side alone, on one thread (the conversion overlaps them on two).
  const parse = best([ours(csv, "--parse-only"), ours(csv, "--parse-only")]);
  const encode = best([ours(csv, "--encode-only"), ours(csv, "--encode-only")]);
  const double = ours(doubleCsv, path.join(WORK, "ours-double.parquet"));
  const oursSize = fs.statSync(path.join(WORK, "ours.parquet")).size;
  const arrowSize = fs.statSync(path.join(WORK, "pyarrow.parquet")).size;
  console.log(`parquetize: ${a.seconds.toFixed(2)} s, ${(rows / a.seconds).toFixed(0)} rows/s, peak RSS ${a.peak_rss_mb.toFixed(0)} MB (${double.peak_rss_mb.toFixed(0)} MB at ${double.rows} rows), ${(oursSize / 1048576).toFixed(1)} MB Parquet`);
  console.log(`  alone on one thread: CSV to typed Arrow row groups ${parse.seconds.toFixed(2)} s; Arrow IPC into WebAssembly + Parquet encoding ${encode.seconds.toFixed(2)} s (the conversion runs them side by side)`);
  console.log(`pyarrow ${String(p.version)} (${String(p.threads)} threads): ${p.seconds.toFixed(2)} s, ${(rows / p.seconds).toFixed(0)} rows/s, peak RSS ${p.peak_rss_mb.toFixed(0)} MB, ${(arrowSize / 1048576).toFixed(1)} MB Parquet`);
  console.log(`ratio (our time / pyarrow's): ${(a.seconds / p.seconds).toFixed(2)}; target within 2x`);
  console.log(`machine: ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Node ${process.version}`);
  console.log(JSON.stringify({
    rows,
    rows_per_s: Math.round(rows / a.seconds),
    seconds: Number(a.seconds.toFixed(3)),
    pyarrow_s: Number(p.seconds.toFixed(3)),
    pyarrow_ratio: Number((a.seconds / p.seconds).toFixed(2)),
    peak_rss_mb: Number(a.peak_rss_mb.toFixed(1)),
    peak_rss_mb_double_rows: Number(double.peak_rss_mb.toFixed(1)),
    pyarrow_peak_rss_mb: Number(p.peak_rss_mb.toFixed(1)),
    parse_s: Number(parse.seconds.toFixed(3)),
    encode_s: Number(encode.seconds.toFixed(3)),
    parquet_mb: Number((oursSize / 1048576).toFixed(1)),
    pyarrow_parquet_mb: Number((arrowSize / 1048576).toFixed(1)),
  }));
}

main();
