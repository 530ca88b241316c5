// What a run request's conf may be, and that a refusal says what is wrong with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { MAX_CONF_DEPTH, validConf } from "../../../functions/runs/validate-run-request";
import { newDagRunRecord } from "../../../functions/runs/create-dag-run";
import { dag, empty } from "../../../orchestrations/runtime";

function nested(levels: number, leaf: unknown = 1): Record<string, unknown> {
  let value: unknown = leaf;
  for (let i = 1; i < levels; i++) value = { a: value };
  return { a: value };
}

test("a conf nested 200 levels deep is refused naming the depth limit", () => {
  assert.throws(() => validConf(nested(200)), /^DagRunRequestError: conf is nested more than 64 levels deep, the depth limit for a run's conf; flatten it, or pass the deep part as a JSON string$/);
  // Deep lists too; the first problem found is the depth.
  let list: unknown = [1];
  for (let i = 0; i < 199; i++) list = [list];
  assert.throws(() => validConf({ list }), /conf is nested more than 64 levels deep/);
  // Through the one path every run request takes.
  const d = dag({ dagId: "conf_depth", schedule: null, tasks: (t) => void t.task("a", empty()) });
  assert.throws(() => newDagRunRecord(d, { runType: "manual", conf: nested(200) }, new Date()), /depth limit/);
});

test("64 levels are accepted; values JSON cannot carry are refused with their own message", () => {
  assert.equal(MAX_CONF_DEPTH, 64);
  assert.deepEqual(validConf(nested(MAX_CONF_DEPTH)), nested(MAX_CONF_DEPTH));
  assert.throws(() => validConf(nested(MAX_CONF_DEPTH + 1)), /depth limit/);
  assert.throws(() => validConf({ x: Number.NaN }), /conf must hold only JSON values/);
  assert.throws(() => validConf({ x: new Date() }), /conf must hold only JSON values/);
  assert.throws(() => validConf([1]), /conf must be a JSON object/);
});
