// Task log lines on the console as the tasks write them: prefixed with task, map index and try in
// Airflow's layout, masked, printed once (also under --verbose), a failed task's last lines again
// under the table, nothing of it under --quiet.
import { test } from "node:test";
import assert from "node:assert/strict";
import { needService } from "../../support/services";
import { azflow, CLI_APP, freshDay, taskRow } from "./azflow-process";

const SECRET = "hunter2-cli-secret";
const ENV = { AIRFLOW_CONN_CLI_SECRET: `postgres://loader:${SECRET}@127.0.0.1:1/db` };
const LINE = /^(\w+) map_index=(-?\d+) try=(\d+):\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000\] \{(\w+)\} (INFO|WARNING|ERROR) - (.*)$/;

function logLines(out: string): RegExpExecArray[] {
  return out.split("\n").flatMap((l) => {
    const m = LINE.exec(l);
    return m ? [m] : [];
  });
}

function count(out: string, text: string): number {
  return out.split("\n").filter((l) => l.endsWith(text)).length;
}

test("dags test prints each task's log lines as written, with task, map index and try; masked; a failed task's last lines again under the table", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const r = await azflow(["dags", "test", "cli_logs", freshDay(50), "--app", CLI_APP], 60_000, ENV);
  assert.equal(r.code, 1, r.out + r.err);
  const lines = logLines(r.out);
  const has = (task: string, mapIndex: string, tryNumber: string, message: string) =>
    lines.some((m) => m[1] === task && m[2] === mapIndex && m[3] === tryNumber && m[4] === "python" && m[6] === message);
  assert.ok(has("mapped", "0", "1", "item a of the mapped task"), r.out);
  assert.ok(has("mapped", "1", "1", "item b of the mapped task"), r.out);
  assert.ok(has("flaky", "-1", "1", "try 1 begins"), r.out);
  assert.ok(lines.some((m) => m[1] === "flaky" && m[3] === "1" && m[5] === "ERROR" && m[6] === "Task failed with exception: first try fails on purpose"), r.out);
  assert.ok(has("flaky", "-1", "2", "try 2 begins"), r.out);
  assert.ok(has("leaky", "-1", "1", "connecting as loader with password ***"), r.out);
  assert.doesNotMatch(r.out + r.err, new RegExp(SECRET), "the password never reaches the console");

  // Live, before the table; then repeated under it, once.
  const table = r.out.indexOf("task    map_index");
  assert.ok(table > 0, r.out);
  const live = r.out.slice(0, table);
  const after = r.out.slice(table);
  assert.equal(count(live, "connecting as loader with password ***"), 1);
  assert.match(after, /\nLast log lines of leaky \(try 1, failed\):\nleaky map_index=-1 try=1:\[[^\]]+\] \{python\} INFO - Starting attempt 1 of 1\n/);
  assert.equal(count(after, "ERROR - Task failed with exception: login refused for password ***"), 1);
  // flaky failed only its first try, and the run went on: it has no tail.
  assert.doesNotMatch(after, /Last log lines of flaky/);
  assert.deepEqual(taskRow(r.out, "leaky")?.slice(1, 3), ["-1", "failed"]);
});

test("dags test --verbose adds the runtime's lines without printing a task line twice; --quiet prints only the table", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const verbose = await azflow(["dags", "test", "cli_logs", freshDay(51), "--app", CLI_APP, "--verbose"], 60_000, ENV);
  assert.equal(verbose.code, 1, verbose.out + verbose.err);
  assert.equal(count(verbose.out, "try 2 begins"), 1);
  assert.equal(count(verbose.out, "connecting as loader with password ***"), 2, "live and in the tail");
  assert.doesNotMatch(verbose.err, /try 2 begins|connecting as loader/, "the invocation log does not repeat task lines");

  const quiet = await azflow(["dags", "test", "cli_logs", freshDay(52), "--app", CLI_APP, "--quiet"], 60_000, ENV);
  assert.equal(quiet.code, 1, quiet.out + quiet.err);
  assert.deepEqual(logLines(quiet.out), []);
  assert.doesNotMatch(quiet.out, /Last log lines/);
  assert.deepEqual(taskRow(quiet.out, "mapped")?.slice(1, 3), ["0", "success"]);
  assert.match(quiet.out, /DAG run cli_logs manual__\S+: failed/);
});

test("tasks test prints the task's log lines (masked), rerun and backfill print their runs' lines", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const one = await azflow(["tasks", "test", "cli_logs", "leaky", freshDay(53), "--app", CLI_APP], 60_000, ENV);
  assert.equal(one.code, 1, one.out + one.err);
  assert.equal(count(one.out, "{python} INFO - connecting as loader with password ***"), 1, one.out);
  assert.match(one.out, /^leaky map_index=-1 try=1:\[/m);
  assert.doesNotMatch(one.out + one.err, new RegExp(SECRET));
  assert.match(one.out, /cli_logs\.leaky: failed: login refused for password \*\*\*/);

  const day = freshDay(54);
  const first = await azflow(["dags", "test", "cli_logs", day, "--app", CLI_APP, "--quiet"], 60_000, ENV);
  assert.equal(first.code, 1, first.out + first.err);
  const runId = /DAG run cli_logs (\S+): failed/.exec(first.out)?.[1];
  assert.ok(runId, first.out);
  const rerun = await azflow(["dags", "rerun", "cli_logs", runId, "--failed-only", "--app", CLI_APP], 60_000, ENV);
  assert.equal(rerun.code, 1, rerun.out + rerun.err);
  assert.equal(count(rerun.out, "connecting as loader with password ***"), 2, rerun.out);
  assert.doesNotMatch(rerun.out, /item a of the mapped task/, "reused tasks do not run");

  const backfill = await azflow(["dags", "backfill", "cli_daily", "-s", freshDay(55), "-e", freshDay(55), "--reset-dagruns", "--app", CLI_APP]);
  assert.equal(backfill.code, 0, backfill.out + backfill.err);
  assert.match(backfill.out, new RegExp(`^interval run_id=backfill__${freshDay(55)}T00:00:00\\+00:00 map_index=-1 try=1:\\[[^\\]]+\\] \\{python\\} INFO - Marking task as SUCCESS\\.$`, "m"));
});
