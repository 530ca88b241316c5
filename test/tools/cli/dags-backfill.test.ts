import { test } from "node:test";
import assert from "node:assert/strict";
import { needService } from "../../support/services";
import { appLedger, azflow, CLI_APP, freshDay } from "./azflow-process";

const iso = (day: string) => `${day}T00:00:00+00:00`;

test("dags backfill over 3 days creates 3 backfill runs with their logical dates and data intervals; a second backfill keeps them", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const days = [freshDay(10), freshDay(11), freshDay(12), freshDay(13)];
  const ledger = appLedger();
  for (const run of await ledger.listDagRuns("cli_daily")) if (days.some((d) => run.logical_date.startsWith(d))) await ledger.deleteRun("cli_daily", run.dag_run_id);
  const dry = await azflow(["dags", "backfill", "cli_daily", "-s", days[0], "-e", days[2], "--dry-run", "--app", CLI_APP]);
  assert.equal(dry.code, 0, dry.out + dry.err);
  assert.equal((dry.out.match(/ {2}run$/gm) ?? []).length, 3, dry.out);
  assert.equal((await ledger.listDagRuns("cli_daily")).filter((r) => days.some((d) => r.logical_date.startsWith(d))).length, 0, "--dry-run creates nothing");

  const r = await azflow(["dags", "backfill", "cli_daily", "-s", days[0], "-e", days[2], "--app", CLI_APP]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /\[3\/3\]/);
  assert.match(r.out, /3 succeeded, 0 failed, 0 kept/);
  const runs = (await ledger.listDagRuns("cli_daily")).filter((run) => days.some((d) => run.logical_date.startsWith(d)));
  assert.deepEqual(runs.map((run) => run.dag_run_id), days.slice(0, 3).map((d) => `backfill__${iso(d)}`));
  for (const [i, run] of runs.entries()) {
    assert.equal(run.run_type, "backfill");
    assert.equal(run.state, "success");
    assert.equal(run.logical_date, iso(days[i]));
    assert.equal(run.data_interval_start, iso(days[i]));
    assert.equal(run.data_interval_end, iso(days[i + 1]));
    const [ti] = await ledger.listTaskInstances("cli_daily", run.dag_run_id);
    assert.deepEqual(JSON.parse(ti.xcom ?? "null"), { ds: days[i], start: iso(days[i]), end: iso(days[i + 1]) }, "the task saw its run's interval");
  }

  const again = await azflow(["dags", "backfill", "cli_daily", "-s", days[0], "-e", days[3], "--app", CLI_APP]);
  assert.equal(again.code, 0, again.out + again.err);
  assert.match(again.out, /1 succeeded, 0 failed, 3 kept/);
  const reset = await azflow(["dags", "backfill", "cli_daily", "-s", days[0], "-e", days[0], "--reset-dagruns", "--app", CLI_APP]);
  assert.equal(reset.code, 0, reset.out + reset.err);
  assert.match(reset.out, /reset and started/);
  assert.match(reset.out, /1 succeeded, 0 failed, 0 kept/);
});

test("dags backfill refuses bad ranges with exit 2", async () => {
  for (const args of [["-s", "2024-01-03", "-e", "2024-01-01"], ["-s", "2024-01-01"], ["-s", "2024-13-01", "-e", "2024-01-02"]]) {
    const r = await azflow(["dags", "backfill", "cli_daily", ...args, "--app", CLI_APP]);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
  }
});
