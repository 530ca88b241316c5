// Bench app: one 500-task DAG of mixed shapes (a chain, a wide fan-out and fan-in, a branch with a
// skipped side, a mapped task, joins under several trigger rules) made of EmptyOperators, which
// the orchestrator finishes itself, and python tasks, which run as real activities.
import "../../functions/activities";
import { registerCallable } from "../../functions/activities/callable";
import { registerDag } from "../../functions/register-dag";
import { dag, empty, python, type TaskRef } from "../../orchestrations/runtime";

const DAG500_ID = "bench_dag500";
const MAPPED_ITEMS = 50;

registerCallable("bench.noop", () => null);
registerCallable("bench.choose", () => "left_00");
registerCallable("bench.items", () => Array.from({ length: MAPPED_ITEMS }, (_, i) => i));
registerCallable("bench.double", (kwargs) => Number(kwargs.n) * 2);
registerCallable("bench.sum", (kwargs) => (kwargs.values as number[]).reduce((a, b) => a + b, 0));

const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(3, "0")}`;

registerDag(dag({
  dagId: DAG500_ID,
  schedule: null,
  startDate: "2024-01-01",
  tags: ["bench"],
  tasks: (t) => {
    const start = t.task("start", empty());
    // A chain of 100, every other task a python activity.
    const chain: TaskRef[] = Array.from({ length: 100 }, (_, i) => t.task(id("chain", i), i % 2 ? empty() : python("bench.noop")));
    t.chain(start, ...chain);
    // Fan-out of 150 activities and fan-in.
    const fan = Array.from({ length: 150 }, (_, i) => t.task(id("fan", i), python("bench.noop")));
    const joinFan = t.task("join_fan", empty());
    chain[chain.length - 1].then(fan);
    t.list(...fan).then(joinFan);
    // A branch: the left chain (activities) runs, the right chain (empties) is skipped.
    const pick = t.branch("pick", python("bench.choose"));
    const left = Array.from({ length: 40 }, (_, i) => t.task(`left_${String(i).padStart(2, "0")}`, python("bench.noop")));
    const right = Array.from({ length: 40 }, (_, i) => t.task(`right_${String(i).padStart(2, "0")}`, empty()));
    start.then(pick);
    pick.then([left[0], right[0]]);
    t.chain(...left);
    t.chain(...right);
    const joinBranch = t.task("join_branch", empty(), { triggerRule: "none_failed_min_one_success" });
    t.list(left[39], right[39]).then(joinBranch);
    // Dynamic mapping over an upstream's list, and a task reading all mapped results.
    const items = t.task("items", python("bench.items"));
    const doubled = t.task("doubled", python("bench.double"), { expand: { n: items.output } });
    const total = t.task("total", python("bench.sum", { values: doubled.output }));
    t.chain(start, items, doubled, total);
    // Joins under other trigger rules.
    const rules = [
      t.task("rule_all_done", empty(), { triggerRule: "all_done" }),
      t.task("rule_one_success", empty(), { triggerRule: "one_success" }),
      t.task("rule_none_failed", empty(), { triggerRule: "none_failed" }),
    ];
    t.list(joinFan, joinBranch, total).then(rules);
    const allSkipped = t.task("rule_all_skipped", empty(), { triggerRule: "all_skipped" });
    const noneSkipped = t.task("rule_none_skipped", empty(), { triggerRule: "none_skipped" });
    right[39].then([allSkipped, noneSkipped]);
    // A second wide layer of activities fills the DAG up to 500 tasks.
    const wide = Array.from({ length: 157 }, (_, i) => t.task(id("wide", i), python("bench.noop")));
    total.then(wide);
    const end = t.task("end", empty(), { triggerRule: "all_done" });
    t.list(...rules, allSkipped, noneSkipped, ...wide).then(end);
  },
}));
