import { test } from "node:test";
import assert from "node:assert/strict";
import { needService } from "../../support/services";
import { appLedger, azflow, CLI_APP, freshDay } from "./azflow-process";

test("tasks test runs one task, prints its XCom and records nothing in the ledger", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const day = freshDay(20);
  const r = await azflow(["tasks", "test", "cli_daily", "interval", day, "--app", CLI_APP]);
  assert.equal(r.code, 0, r.out + r.err);
  const xcom = /XCom \(return_value\): (.*)$/m.exec(r.out)?.[1];
  assert.ok(xcom, r.out);
  // A manual run's interval for a daily cron ends at the schedule point at or before the date.
  assert.deepEqual(JSON.parse(xcom), { ds: day, start: `${freshDay(19)}T00:00:00+00:00`, end: `${day}T00:00:00+00:00` });
  const ledger = appLedger();
  assert.equal(await ledger.findDagRunByLogicalDate("cli_daily", `${day}T00:00:00+00:00`), undefined);
  assert.deepEqual(await ledger.listTaskInstances("cli_daily", `manual__${day}T00:00:00+00:00`), []);
});

test("tasks test ignores dependencies, exits 1 when the task fails and 2 for an unknown task", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const fails = await azflow(["tasks", "test", "cli_fails", "boom", freshDay(21), "--app", CLI_APP]);
  assert.equal(fails.code, 1, fails.out + fails.err);
  assert.match(fails.out, /cli_fails\.boom: failed: boom: this task always fails/);
  const unknown = await azflow(["tasks", "test", "cli_fails", "nope", "--app", CLI_APP]);
  assert.equal(unknown.code, 2, unknown.err);
  assert.match(unknown.err, /has no task 'nope'/);
});
