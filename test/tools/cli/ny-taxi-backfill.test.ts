// `azflow dags backfill ny_taxi_ingest` as a user runs it, downloading from a local stand-in for
// the NYC TLC trip-record files: three months with progress shown, then the same range again
// leaves the same row counts (kept runs, and with --reset-dagruns reloaded months replacing themselves).
import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { Client } from "pg";
import { needService, pgConfig } from "../../support/services";
import { startSources } from "../../support/source-fixtures";
import { appLedger, azflow } from "./azflow-process";

const ROWS = 700;
let sources: Awaited<ReturnType<typeof startSources>> | undefined;
let pg: Client | undefined;

before(async () => {
  sources = await startSources({ taxiRows: ROWS, seed: "backfill-test" });
});
after(async () => {
  await sources?.close();
  await pg?.end();
});

test("dags backfill ny_taxi_ingest over three monthly schedule points loads three months with progress; a second backfill leaves the same counts", async (t: TestContext) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  pg = new Client(pgConfig());
  await pg.connect();
  const year = 1100 + Math.floor(Math.random() * 900);
  const months = ["01", "02", "03"].map((m) => `${year}-${m}`);
  const ledger = appLedger();
  for (const run of await ledger.listDagRuns("ny_taxi_ingest")) if (run.logical_date.startsWith(`${year}-`)) await ledger.deleteRun("ny_taxi_ingest", run.dag_run_id);
  const counts = async () => {
    const r = await pg!.query("SELECT data_month, count(*)::int AS n FROM yellow_taxi_trips WHERE data_month = ANY($1) GROUP BY 1 ORDER BY 1", [months]);
    return r.rows.map((x) => [x.data_month as string, x.n as number]);
  };

  // Airflow's cron timetable: the month's run has logical date <month>-02 07:00, so a range that
  // ends on the 1st of March holds two schedule points; March's point is 03-02 07:00.
  const dry = await azflow(["dags", "backfill", "ny_taxi_ingest", "-s", `${year}-01-01`, "-e", `${year}-03-01`, "--dry-run"]);
  assert.equal(dry.code, 0, dry.out + dry.err);
  assert.match(dry.out, /2 schedule point\(s\)/);

  const first = await azflow(["dags", "backfill", "ny_taxi_ingest", "-s", `${year}-01-01`, "-e", `${year}-03-02T07:00:00`], 180_000);
  assert.equal(first.code, 0, first.out + first.err);
  for (const m of months) assert.match(first.out, new RegExp(`${m}-02T07:00:00\\+00:00 {2}started`));
  assert.match(first.out, /\[3\/3\] /, "progress shows each finished month");
  assert.match(first.out, /3 succeeded, 0 failed, 0 kept/);
  const loaded = await counts();
  assert.deepEqual(loaded, months.map((m) => [m, ROWS]));

  const again = await azflow(["dags", "backfill", "ny_taxi_ingest", "-s", `${year}-01-01`, "-e", `${year}-03-02T07:00:00`], 180_000);
  assert.equal(again.code, 0, again.out + again.err);
  assert.match(again.out, /0 succeeded, 0 failed, 3 kept/);
  assert.deepEqual(await counts(), loaded);

  const reset = await azflow(["dags", "backfill", "ny_taxi_ingest", "-s", `${year}-01-01`, "-e", `${year}-03-02T07:00:00`, "--reset-dagruns"], 180_000);
  assert.equal(reset.code, 0, reset.out + reset.err);
  assert.match(reset.out, /3 succeeded, 0 failed, 0 kept/);
  assert.deepEqual(await counts(), loaded, "reloading the months replaced them: same counts");
});
