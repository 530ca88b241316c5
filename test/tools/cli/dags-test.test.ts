import { test } from "node:test";
import assert from "node:assert/strict";
import { needService } from "../../support/services";
import { appLedger, azflow, CLI_APP, freshDay, taskRow } from "./azflow-process";

test("dags test runs the tutorial once, prints every task's state and exits 0; a second run on the same date replaces the first", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const day = freshDay();
  const first = await azflow(["dags", "test", "tutorial", day]);
  assert.equal(first.code, 0, first.out + first.err);
  for (const task of ["print_date", "load_table", "report"]) {
    const row = taskRow(first.out, task);
    assert.ok(row, `no row for ${task} in:\n${first.out}`);
    assert.deepEqual(row.slice(1, 4), ["-1", "success", "1"]);
    assert.match(row[4], /^\d+\.\d\ds$/);
  }
  assert.match(first.out, /^task\s+map_index\s+state\s+try\s+duration\s+error$/m);
  assert.match(first.out, new RegExp(`DAG run tutorial manual__${day}T00:00:00\\+00:00: success`));

  const again = await azflow(["dags", "test", "tutorial", day]);
  assert.equal(again.code, 0, again.out + again.err);
  const runs = (await appLedger().listDagRuns("tutorial")).filter((r) => r.logical_date.startsWith(day));
  assert.equal(runs.length, 1, "the earlier run on that date was cleared");
  assert.equal(runs[0].state, "success");
  assert.equal(runs[0].run_type, "manual");
});

test("dags test exits 1 when a task fails, shows the error and upstream_failed downstream", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const r = await azflow(["dags", "test", "cli_fails", freshDay(1), "--app", CLI_APP]);
  assert.equal(r.code, 1, r.out + r.err);
  assert.deepEqual(taskRow(r.out, "start")?.slice(1, 3), ["-1", "success"]);
  const boom = taskRow(r.out, "boom");
  assert.deepEqual(boom?.slice(1, 3), ["-1", "failed"]);
  assert.match(boom?.at(-1) ?? "", /boom: this task always fails/);
  assert.deepEqual(taskRow(r.out, "after")?.slice(1, 3), ["-1", "upstream_failed"]);
  assert.match(r.out, /DAG run cli_fails manual__\S+: failed/);
});

test("dags test exits 2 on bad arguments, before running anything", async () => {
  const cases: string[][] = [
    ["dags", "test"],
    ["dags", "test", "tutorial", "2024-02-30"],
    ["dags", "test", "tutorial", "--conf", "[1, 2]"],
    ["dags", "test", "tutorial", "--conf", "{not json"],
    ["dags", "test", "tutorial", "--bogus"],
    ["dags", "test", "no_such_dag"],
  ];
  for (const args of cases) {
    const r = await azflow(args);
    assert.equal(r.code, 2, `${args.join(" ")} -> ${r.code}\n${r.out}${r.err}`);
    assert.match(r.err, /^azflow: /, args.join(" "));
  }
});

test("dags test passes --conf to the run and waits for the runs it triggers", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const r = await azflow(["dags", "test", "parent_dag", freshDay(2), "--conf", '{"note": "from the test"}']);
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /Triggered run child_dag_[12] \S+:/);
  assert.match(r.out, /DAG run child_dag_[12] \S+: success/);
  const run = (await appLedger().listDagRuns("parent_dag")).find((x) => x.logical_date.startsWith(freshDay(2)));
  assert.deepEqual(run?.conf, { note: "from the test" });
});
