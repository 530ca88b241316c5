// stepTasks (what the orchestrator calls per change) must decide exactly what step (the whole-DAG
// fixpoint) decides. Random DAGs and random finished states, from a seeded generator.
import { test } from "node:test";
import assert from "node:assert/strict";
import { dag, operator, step, stepTasks, TRIGGER_RULES, upstreamCounts, type TaskStateOrNone } from "../../../orchestrations/runtime";
import { UpstreamTally } from "../../../orchestrations/runtime/rules/upstream-tally";

function prng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x6d2b79f5) >>> 0;
    let t = x;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FINISHED: TaskStateOrNone[] = ["success", "failed", "skipped", "upstream_failed", null, null, "running"];

test("stepTasks over every task equals step on 300 random DAGs and states", () => {
  const rand = prng(20261121);
  for (let round = 0; round < 300; round++) {
    const n = 3 + Math.floor(rand() * 25);
    const rules = TRIGGER_RULES.filter((r) => r !== "all_done_setup_success");
    const d = dag({
      dagId: `random_${round}`,
      schedule: null,
      tasks: (t) => {
        const refs = Array.from({ length: n }, (_, i) =>
          t.task(`t${i}`, operator("empty", {}), { triggerRule: rules[Math.floor(rand() * rules.length)] }));
        for (let i = 1; i < n; i++) {
          for (let j = 0; j < i; j++) if (rand() < 0.25) refs[j].then(refs[i]);
        }
      },
    });
    // States consistent with a run in progress: decided in topological order, some left open.
    const states: Record<string, TaskStateOrNone> = {};
    for (const id of d.taskOrder) if (rand() < 0.5) states[id] = FINISHED[Math.floor(rand() * FINISHED.length)];
    const whole = step(d, states);
    const copy: Record<string, TaskStateOrNone> = { ...states };
    const incremental = stepTasks(d, copy, d.taskOrder);
    const sorted = (xs: string[]) => [...xs].sort();
    assert.deepEqual(sorted(incremental.skipped), sorted(whole.skipped), `round ${round}: skipped`);
    assert.deepEqual(sorted(incremental.upstreamFailed), sorted(whole.upstreamFailed), `round ${round}: upstream_failed`);
    assert.deepEqual(sorted(incremental.runnable), sorted(whole.runnable), `round ${round}: runnable`);
    assert.deepEqual(copy, { ...states, ...Object.fromEntries(Object.entries(whole.states).filter(([, v]) => v !== undefined)) });
  }
});

test("after one task finishes, evaluating only its downstreams finds what a whole step finds", () => {
  const rand = prng(7);
  for (let round = 0; round < 200; round++) {
    const n = 4 + Math.floor(rand() * 20);
    const d = dag({
      dagId: `chain_${round}`,
      schedule: null,
      tasks: (t) => {
        const refs = Array.from({ length: n }, (_, i) => t.task(`t${i}`, operator("empty", {}), {
          triggerRule: (["all_success", "all_done", "one_failed", "none_failed_min_one_success"] as const)[Math.floor(rand() * 4)],
        }));
        for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (rand() < 0.3) refs[j].then(refs[i]);
      },
    });
    // Run it to the end, one finished task at a time, both ways, and compare every decision.
    const a: Record<string, TaskStateOrNone> = {};
    let candidates: Iterable<string> = d.taskOrder;
    for (let guard = 0; guard < 100; guard++) {
      const inc = stepTasks(d, a, candidates);
      const whole = step(d, a);
      assert.deepEqual([...inc.runnable].sort(), [...whole.runnable].sort(), `round ${round}`);
      if (!inc.runnable.length) break;
      const id = inc.runnable[0];
      a[id] = rand() < 0.7 ? "success" : "failed";
      // Tasks already runnable stay runnable: keep them as candidates too.
      candidates = [...inc.runnable.slice(1), ...d.tasks[id].downstream];
    }
  }
});

test("the upstream tally equals counting from the states after every change, expansions and overwrites included", () => {
  const rand = prng(424242);
  const STATES: TaskStateOrNone[] = ["success", "failed", "skipped", "upstream_failed", "running", "removed", null];
  for (let round = 0; round < 200; round++) {
    const n = 3 + Math.floor(rand() * 15);
    const d = dag({
      dagId: `tally_${round}`,
      schedule: null,
      tasks: (t) => {
        const refs = Array.from({ length: n }, (_, i) => t.task(`t${i}`, operator("empty", {})));
        for (let i = 1; i < n; i++) for (let j = 0; j < i; j++) if (rand() < 0.3) refs[j].then(refs[i]);
      },
    });
    const states: Record<string, TaskStateOrNone | TaskStateOrNone[]> = {};
    const tally = new UpstreamTally(d, states);
    for (let change = 0; change < 40; change++) {
      const id = d.taskOrder[Math.floor(rand() * n)];
      const entry = states[id];
      if (Array.isArray(entry)) {
        const i = Math.floor(rand() * entry.length);
        const next = STATES[Math.floor(rand() * STATES.length)];
        tally.change(id, entry[i], next);
        entry[i] = next;
      } else if (rand() < 0.15 && (entry === undefined || entry === null)) {
        const count = 1 + Math.floor(rand() * 4);
        tally.expand(id, entry ?? null, count, "running");
        states[id] = Array.from({ length: count }, () => "running");
      } else {
        const next = STATES[Math.floor(rand() * STATES.length)];
        tally.change(id, (entry as TaskStateOrNone | undefined) ?? null, next);
        states[id] = next;
      }
      for (const t of d.taskOrder) assert.deepEqual(tally.countsFor(t, states), upstreamCounts(d, t, states), `round ${round} change ${change} task ${t}`);
    }
  }
});
