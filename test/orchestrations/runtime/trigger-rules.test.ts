import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dag, operator } from "../../../orchestrations/runtime/model/dag";
import type { TaskOptions } from "../../../orchestrations/runtime/model/dag";
import { evaluateTask } from "../../../orchestrations/runtime/rules/scheduler";
import type { TaskStateOrNone, TaskStates } from "../../../orchestrations/runtime/rules/states";
import { TRIGGER_RULES, TriggerDecision, TriggerRule } from "../../../orchestrations/runtime/rules/trigger-rules";

// Conformance with AIRFLOW-SEMANTICS.md's trigger-rule table. Every expectation below is written
// out by hand from that table, never computed by the code under test.
// S success, F failed, K skipped, U upstream_failed, N no state yet / still running.
type Code = "S" | "F" | "K" | "U" | "N" | "R";
const STATE: Record<Code, TaskStateOrNone> = { S: "success", F: "failed", K: "skipped", U: "upstream_failed", N: null, R: "running" };
const DECISION = { run: "run", skip: "skip", uf: "upstream_failed", wait: "wait" } as const;
type D = keyof typeof DECISION;

/** A DAG with upstreams u0..un-1 (optionally setups / a mapped one) and the task under test "t". */
function evaluate(rule: TriggerRule, upstream: (Code | Code[])[], setups: boolean[] = []): TriggerDecision {
  const op = operator("noop", {});
  const d = dag({
    dagId: "conformance", schedule: null,
    tasks: (t) => {
      const ups = upstream.map((_, i) => t.task(`u${i}`, op, { setup: setups[i] ?? false }));
      const opts: TaskOptions = { triggerRule: rule };
      const target = t.task("t", op, opts);
      for (const up of ups) up.then(target);
    },
  });
  const states: Record<string, TaskStateOrNone | TaskStateOrNone[]> = {};
  upstream.forEach((codes, i) => {
    states[`u${i}`] = Array.isArray(codes) ? codes.map((c) => STATE[c]) : STATE[codes];
  });
  return evaluateTask(d, "t", states as TaskStates);
}

// Columns: the upstream combinations; rows: the expected decision per rule.
const COMBOS: Code[][] = [
  ["S", "S"], ["S", "F"], ["S", "K"], ["S", "U"], ["F", "F"], ["K", "K"], ["F", "K"], ["U", "U"],
  ["S", "N"], ["F", "N"], ["K", "N"], ["U", "N"], ["N", "N"], ["F", "U"], ["K", "U"], ["S", "R"],
];
const TABLE: Record<Exclude<TriggerRule, "all_done_setup_success">, D[]> = {
  //                           SS      SF      SK      SU      FF      KK      FK      UU      SN      FN      KN      UN      NN      FU      KU      SR
  all_success:                 ["run", "uf",   "skip", "uf",   "uf",   "skip", "uf",   "uf",   "wait", "uf",   "skip", "uf",   "wait", "uf",   "uf",   "wait"],
  all_failed:                  ["skip", "skip", "skip", "skip", "run",  "skip", "skip", "run",  "skip", "wait", "skip", "wait", "wait", "run",  "skip", "skip"],
  all_done:                    ["run", "run",  "run",  "run",  "run",  "run",  "run",  "run",  "wait", "wait", "wait", "wait", "wait", "run",  "run",  "wait"],
  one_success:                 ["run", "run",  "run",  "run",  "uf",   "skip", "uf",   "uf",   "run",  "wait", "wait", "wait", "wait", "uf",   "uf",   "run"],
  one_failed:                  ["skip", "run", "skip", "run",  "run",  "skip", "run",  "run",  "wait", "run",  "wait", "run",  "wait", "run",  "run",  "wait"],
  one_done:                    ["run", "run",  "run",  "run",  "run",  "skip", "run",  "skip", "run",  "run",  "wait", "wait", "wait", "run",  "skip", "run"],
  none_failed:                 ["run", "uf",   "run",  "uf",   "uf",   "run",  "uf",   "uf",   "wait", "uf",   "wait", "uf",   "wait", "uf",   "uf",   "wait"],
  none_failed_min_one_success: ["run", "uf",   "run",  "uf",   "uf",   "skip", "uf",   "uf",   "wait", "uf",   "wait", "uf",   "wait", "uf",   "uf",   "wait"],
  none_skipped:                ["run", "run",  "skip", "run",  "run",  "skip", "skip", "run",  "wait", "wait", "skip", "wait", "wait", "run",  "skip", "wait"],
  all_skipped:                 ["skip", "skip", "skip", "skip", "skip", "run", "skip", "skip", "skip", "skip", "wait", "skip", "wait", "skip", "skip", "skip"],
  always:                      ["run", "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run",  "run"],
};

describe("trigger rules: two unmapped upstreams", () => {
  for (const [rule, expected] of Object.entries(TABLE) as [TriggerRule, D[]][]) {
    it(rule, () => {
      COMBOS.forEach((combo, i) => {
        assert.equal(evaluate(rule, combo), DECISION[expected[i]], `${rule} with upstreams ${combo.join("")}`);
      });
    });
  }

  it("all_done_setup_success without setups behaves as all_done", () => {
    COMBOS.forEach((combo, i) => {
      assert.equal(evaluate("all_done_setup_success", combo), DECISION[TABLE.all_done[i]], combo.join(""));
    });
  });

  it("every rule is covered", () => {
    assert.deepEqual([...Object.keys(TABLE), "all_done_setup_success"].sort(), [...TRIGGER_RULES].sort());
  });
});

describe("trigger rules: all_done_setup_success with setup upstreams", () => {
  // [upstream codes, which are setups, expected]
  const cases: [Code[], boolean[], D][] = [
    [["S", "S"], [true, false], "run"],
    [["S", "F"], [true, false], "run"],
    [["K", "S"], [true, false], "skip"],
    [["F", "S"], [true, false], "uf"],
    [["U", "S"], [true, false], "uf"],
    [["S", "N"], [true, false], "wait"],
    [["N", "S"], [true, false], "wait"],
    [["S", "F"], [true, true], "run"],
    [["F", "K"], [true, true], "uf"],
    [["K", "K"], [true, true], "skip"],
  ];
  for (const [codes, setups, expected] of cases) {
    it(`${codes.join("")} setups=${setups.map((s) => (s ? 1 : 0)).join("")} -> ${expected}`, () => {
      assert.equal(evaluate("all_done_setup_success", codes, setups), DECISION[expected]);
    });
  }
});

describe("trigger rules: no upstream always runs", () => {
  for (const rule of TRIGGER_RULES) {
    it(rule, () => assert.equal(evaluate(rule, []), "run"));
  }
});

describe("trigger rules: counts over the instances of a mapped upstream", () => {
  // [rule, upstreams (an array is a mapped upstream's instances), expected]
  const cases: [TriggerRule, (Code | Code[])[], D][] = [
    ["all_success", [["S", "S", "S"]], "run"],
    ["all_success", [["S", "F", "S"]], "uf"],
    ["all_success", [["S", "K", "S"]], "skip"],
    ["all_success", [["S", "N", "S"]], "wait"],
    ["all_success", [["S", "S"], "N"], "wait"],
    ["all_success", [["S", "S"], "S"], "run"],
    ["all_done", [["S", "F", "N"]], "wait"],
    ["all_done", [["S", "F", "K"]], "run"],
    ["one_success", [["F", "F", "S"]], "run"],
    ["one_success", [["F", "F", "F"]], "uf"],
    ["one_success", [["K", "K", "K"]], "skip"],
    ["one_failed", [["S", "S", "F"]], "run"],
    ["one_failed", [["S", "S", "S"]], "skip"],
    ["all_failed", [["F", "U", "F"]], "run"],
    ["all_failed", [["F", "S", "F"]], "skip"],
    ["none_failed", [["K", "S", "K"]], "run"],
    ["none_failed_min_one_success", [["K", "K", "K"]], "skip"],
    ["none_failed_min_one_success", [["K", "S", "K"]], "run"],
    ["none_failed_min_one_success", [["K", "N", "K"]], "wait"],
    ["none_failed_min_one_success", [["K", "F", "S"]], "uf"],
    ["none_skipped", [["S", "S", "K"]], "skip"],
    ["all_skipped", [["K", "K", "K"]], "run"],
    // Not expanded yet: one instance with no state. Expanded to nothing: the mapped task is SKIPPED.
    ["all_success", ["N"], "wait"],
    ["all_success", ["K"], "skip"],
    ["none_failed_min_one_success", ["K", "S"], "run"],
  ];
  for (const [rule, upstream, expected] of cases) {
    const label = upstream.map((u) => (Array.isArray(u) ? `[${u.join("")}]` : u)).join(" ");
    it(`${rule} ${label} -> ${expected}`, () => assert.equal(evaluate(rule, upstream), DECISION[expected]));
  }
});
