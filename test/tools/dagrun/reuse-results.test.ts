import { test } from "node:test";
import assert from "node:assert/strict";
import { dag, empty, python } from "../../../orchestrations/runtime";
import type { TaskInstanceRecord } from "../../../functions/ledger/records";
import { planReuse, restoredRows } from "../../../tools/dagrun/reuse-results";

const sample = dag({
  dagId: "reuse_sample",
  schedule: null,
  tasks: (t) => {
    const a = t.task("a", python("x"));
    const m = t.task("m", python("x"), { expand: { n: [1, 2] } });
    const b = t.task("b", empty());
    const c = t.task("c", empty());
    a.then(m).then(b).then(c);
  },
});

function ti(taskId: string, mapIndex: number, state: TaskInstanceRecord["state"], xcom: unknown = null): TaskInstanceRecord {
  return {
    dag_id: "reuse_sample", dag_run_id: "r", task_id: taskId, map_index: mapIndex, state, try_number: 1, max_tries: 1, operator: "python",
    start_date: "2024-01-01T00:00:00+00:00", end_date: "2024-01-01T00:00:01+00:00", duration: 1, error: null, xcom: xcom === null ? null : JSON.stringify(xcom),
  };
}

test("success and skipped instances are reused with their XCom; failed, upstream_failed and missing ones rerun", () => {
  const plan = planReuse(sample, [ti("a", -1, "success", { rows: 3 }), ti("m", 0, "success", 10), ti("m", 1, "success", 20), ti("b", -1, "failed"), ti("c", -1, "upstream_failed")]);
  assert.deepEqual(plan.reuse, {
    a: { state: "success", mapped: false, xcom: { rows: 3 } },
    m: { state: "success", mapped: true, xcom: [10, 20] },
  });
  assert.deepEqual(plan.rerun, ["b", "c"]);
});

test("a mapped task reruns whole unless every instance ended in the same kept state", () => {
  const mixed = planReuse(sample, [ti("a", -1, "success"), ti("m", 0, "success", 1), ti("m", 1, "failed")]);
  assert.deepEqual(Object.keys(mixed.reuse), ["a"]);
  assert.deepEqual(mixed.rerun, ["m", "b", "c"]);
  const gap = planReuse(sample, [ti("m", 1, "success", 1)]);
  assert.ok(gap.rerun.includes("m"), "instances must start at map index 0 without gaps");
  const skipped = planReuse(sample, [ti("a", -1, "skipped"), ti("m", -1, "skipped")]);
  assert.deepEqual(skipped.reuse.m, { state: "skipped", mapped: false, xcom: null }, "a mapped task skipped as a whole (empty list) has one row");
});

test("restoredRows gives back the reused instances' times and tries only", () => {
  const rows = restoredRows([ti("a", -1, "success"), ti("b", -1, "failed")], new Set(["a"]));
  assert.deepEqual(rows, [{ task_id: "a", map_index: -1, try_number: 1, start_date: "2024-01-01T00:00:00+00:00", end_date: "2024-01-01T00:00:01+00:00", duration: 1 }]);
});
