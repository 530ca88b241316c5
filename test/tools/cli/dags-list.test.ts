import { test } from "node:test";
import assert from "node:assert/strict";
import { needService } from "../../support/services";
import { azflow, CLI_APP } from "./azflow-process";

test("dags list prints every registered DAG with schedule, next run, tags and paused", async (t) => {
  if (!(await needService(t, "azurite"))) return;
  const table = await azflow(["dags", "list"]);
  assert.equal(table.code, 0, table.err);
  assert.match(table.out, /^dag_id\s+schedule\s+next run\s+tags\s+paused$/m);
  for (const dagId of ["child_dag_1", "child_dag_2", "parent_dag", "sensor_with_conditions", "tutorial"]) {
    assert.match(table.out, new RegExp(`^${dagId}\\s`, "m"));
  }
  const json = await azflow(["dags", "list", "-o", "json", "--app", CLI_APP]);
  assert.equal(json.code, 0, json.err);
  const rows = JSON.parse(json.out) as { dag_id: string; schedule: string | null; next_run: string | null; tags: string[]; paused: boolean }[];
  assert.deepEqual(rows.map((r) => r.dag_id), ["cli_daily", "cli_fails", "cli_logs", "cli_rerun"]);
  const daily = rows[0];
  assert.equal(daily.schedule, "@daily");
  assert.deepEqual(daily.tags, ["cli-test", "daily"]);
  assert.equal(daily.paused, false);
  assert.match(daily.next_run ?? "", /^\d{4}-\d{2}-\d{2}T00:00:00\+00:00$/);
  assert.equal(rows[1].schedule, null);
  assert.equal(rows[1].next_run, null, "a DAG without a schedule has no next run");
});
