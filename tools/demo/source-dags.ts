// The demo's part for the DAGs that download from the internet (user_processing, ny_taxi_ingest,
// songplays_dwh): their connections point at tools/fixtures, the local stand-in serving generated
// data in the real formats (this machine reaches no public source). ny_taxi_ingest is backfilled
// over three months; the row counts of every table they load are printed at the end.
import type { CliRuntime } from "../dagrun/cli-runtime";
import { planBackfill, runBackfill } from "../dagrun/backfill";
import { awaitRun, startRun } from "../dagrun/run-dag";
import type { RunReport } from "../dagrun/run-report";
import { formatTable, runSummary } from "../dagrun/run-table";
import { startFixtureServer } from "../fixtures";

export const SOURCE_DAGS = ["user_processing", "ny_taxi_ingest", "songplays_dwh"];
const TAXI_ROWS_PER_MONTH = 20_000;
/** Three monthly schedule points: logical dates 2021-01-02, 02-02 and 03-02 at 07:00. */
const BACKFILL = { start: "2021-01-01T00:00:00Z", end: "2021-03-02T07:00:00Z" };

const TABLES = ["users", "yellow_taxi_trips", "dwh.staging_songs", "dwh.staging_events", "dwh.songplays", "dwh.users", "dwh.songs", "dwh.artists", "dwh.time"];

async function rowCounts(months: string[]): Promise<string> {
  const { postgresPool } = await import("../../functions/hooks/postgres");
  const pool = postgresPool("postgres_default");
  const rows: string[][] = [];
  for (const table of TABLES) {
    // Names from the fixed list above, not from input.
    const r = await pool.query(`SELECT count(*)::bigint AS n FROM ${table}`).catch(() => null);
    rows.push([table, r ? String(r.rows[0].n) : "(missing)"]);
  }
  const perMonth = await pool.query("SELECT data_month, count(*)::bigint AS n FROM yellow_taxi_trips WHERE data_month = ANY($1) GROUP BY 1 ORDER BY 1", [months]).catch(() => null);
  for (const m of perMonth?.rows ?? []) rows.push([`  yellow_taxi_trips ${m.data_month}`, String(m.n)]);
  return formatTable(["table", "rows"], rows);
}

export async function runSourceDags(rt: CliRuntime): Promise<RunReport[]> {
  const fixtures = await startFixtureServer({ seed: "azflow-demo", taxiRows: TAXI_ROWS_PER_MONTH });
  const c = fixtures.connections();
  const http = (url: string) => JSON.stringify({ conn_type: "http", host: url });
  Object.assign(process.env, { AIRFLOW_CONN_USER_API: http(c.user_api), AIRFLOW_CONN_NYC_TLC: http(c.nyc_tlc), AIRFLOW_CONN_SONG_DATA: http(c.song_data) });
  console.log(`\nuser_api, nyc_tlc and song_data point at the local stand-in for their public sources: ${fixtures.url} (tools/fixtures)`);
  const reports: RunReport[] = [];
  try {
    for (const dagId of ["user_processing", "songplays_dwh"]) {
      const dag = rt.requireDag(dagId);
      const started = Date.now();
      const run = await startRun(rt, dag, { runType: "manual", logicalDate: new Date().toISOString(), conf: {} }, true);
      const report = await awaitRun(rt, dag, run, started);
      console.log(`\n== ${dagId}\n${runSummary(report)}`);
      reports.push(report);
    }
    const taxi = rt.requireDag("ny_taxi_ingest");
    console.log(`\n== ny_taxi_ingest: backfill ${BACKFILL.start} to ${BACKFILL.end} (${TAXI_ROWS_PER_MONTH} trips a month), earlier runs reset`);
    const plan = await planBackfill(rt, taxi, BACKFILL.start, BACKFILL.end, "reset");
    const outcome = await runBackfill(rt, taxi, plan, {}, (line) => console.log(line));
    reports.push(...outcome.reports);
    console.log(`\n== row counts\n${await rowCounts(plan.map((p) => p.logicalDate.slice(0, 7)))}`);
  } finally {
    await fixtures.close();
  }
  return reports;
}
