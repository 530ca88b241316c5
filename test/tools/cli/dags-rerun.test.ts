import { test } from "node:test";
import assert from "node:assert/strict";
import { Client } from "pg";
import { needService, pgConfig, uniqueName } from "../../support/services";
import { appLedger, azflow, CLI_APP, freshDay, taskRow } from "./azflow-process";

async function calls(table: string): Promise<Record<string, number>> {
  const client = new Client(pgConfig());
  await client.connect();
  try {
    const { rows } = await client.query<{ task: string; n: string }>(`SELECT task, count(*) AS n FROM ${table} GROUP BY task`);
    return Object.fromEntries(rows.map((r) => [r.task, Number(r.n)]));
  } finally {
    await client.end();
  }
}

async function openGate(table: string): Promise<void> {
  const client = new Client(pgConfig());
  await client.connect();
  try {
    await client.query(`INSERT INTO ${table} (task, run_id) VALUES ('gate', 'test')`);
  } finally {
    await client.end();
  }
}

test("dags rerun --failed-only runs only the failed and upstream_failed tasks, with the reused task's XCom", async (t) => {
  if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
  const table = uniqueName("cli_rerun_");
  const day = freshDay(3);
  const runId = `manual__${day}T00:00:00+00:00`;
  const first = await azflow(["dags", "test", "cli_rerun", day, "--conf", JSON.stringify({ table }), "--app", CLI_APP]);
  assert.equal(first.code, 1, first.out + first.err);
  assert.deepEqual(taskRow(first.out, "gated")?.slice(1, 3), ["-1", "failed"]);
  assert.deepEqual(taskRow(first.out, "load")?.slice(1, 3), ["-1", "upstream_failed"]);
  assert.deepEqual(await calls(table), { extract: 1, gated: 1 });
  const extractBefore = (await appLedger().listTaskInstances("cli_rerun", runId)).find((ti) => ti.task_id === "extract");

  await openGate(table);
  const rerun = await azflow(["dags", "rerun", "cli_rerun", runId, "--failed-only", "--app", CLI_APP]);
  assert.equal(rerun.code, 0, rerun.out + rerun.err);
  assert.match(rerun.out, /2 task\(s\) run again \(gated, load\), 1 reused/);
  assert.deepEqual(taskRow(rerun.out, "extract")?.slice(1, 3), ["-1", "success (reused)"]);
  assert.deepEqual(taskRow(rerun.out, "gated")?.slice(1, 3), ["-1", "success"]);
  assert.deepEqual(taskRow(rerun.out, "load")?.slice(1, 3), ["-1", "success"]);
  // extract did not run again; gated and load ran once more each.
  assert.deepEqual(await calls(table), { extract: 1, gated: 2, gate: 1, load: 1 });

  const instances = await appLedger().listTaskInstances("cli_rerun", runId);
  const gated = instances.find((ti) => ti.task_id === "gated");
  // gated got extract's stored result from the first run as its upstream XCom.
  assert.deepEqual(JSON.parse(gated?.xcom ?? "null"), { upstream: { task: "extract", calls: 1 } });
  const extract = instances.find((ti) => ti.task_id === "extract");
  assert.equal(extract?.start_date, extractBefore?.start_date, "the reused instance keeps when it really ran");
  assert.equal(extract?.try_number, 1);
  assert.equal((await appLedger().getDagRun("cli_rerun", runId))?.state, "success");
});

test("dags rerun needs --failed-only and an existing run", async (t) => {
  if (!(await needService(t, "azurite"))) return;
  const noFlag = await azflow(["dags", "rerun", "cli_rerun", "manual__x", "--app", CLI_APP]);
  assert.equal(noFlag.code, 2, noFlag.err);
  const missing = await azflow(["dags", "rerun", "cli_rerun", "no_such_run", "--failed-only", "--app", CLI_APP]);
  assert.equal(missing.code, 1, missing.err);
  assert.match(missing.err, /has no run 'no_such_run'/);
});
