// Bench app: the DAG shapes of `npm run bench -- dag`, made of no-op python tasks (real activities)
// and EmptyOperators (finished by the orchestrator), the same shapes bench/airflow/shapes.py builds
// for Airflow: a chain of 300, a fan-out of 500 and a mixed 200 with branches. The 500-task DAG
// of mixed shapes is bench/apps/dag500.ts.
import "../../functions/activities";
import { registerCallable } from "../../functions/activities/callable";
import { registerDag } from "../../functions/register-dag";
import { dag, empty, python, type TaskRef } from "../../orchestrations/runtime";
import "./dag500";

registerCallable("shape.noop", () => null);
registerCallable("shape.pick", (kwargs) => kwargs.choice);

const id = (prefix: string, i: number) => `${prefix}_${String(i).padStart(3, "0")}`;

registerDag(dag({
  dagId: "bench_chain300",
  schedule: null,
  tasks: (t) => {
    t.chain(...Array.from({ length: 300 }, (_, i) => t.task(id("c", i), python("shape.noop"))));
  },
}));

registerDag(dag({
  dagId: "bench_fanout500",
  schedule: null,
  tasks: (t) => {
    const start = t.task("start", empty());
    const fan = Array.from({ length: 500 }, (_, i) => t.task(id("f", i), python("shape.noop")));
    start.then(fan);
    t.list(...fan).then(t.task("end", empty()));
  },
}));

/**
 * 200 tasks in 10 layers of 20: each layer's tasks depend on two tasks of the layer before, every
 * fourth layer opens with a branch that follows one of two tasks, and joins use several rules.
 */
registerDag(dag({
  dagId: "bench_mixed200",
  schedule: null,
  tasks: (t) => {
    let previous: TaskRef[] = [];
    for (let layer = 0; layer < 10; layer++) {
      const current: TaskRef[] = [];
      for (let i = 0; i < 20; i++) {
        const taskId = id(`l${layer}`, i);
        const branching = layer % 4 === 1 && i === 0;
        const rule = i % 5 === 4 ? "none_failed_min_one_success" : i % 7 === 6 ? "all_done" : "all_success";
        const ref = branching
          // Its direct downstreams are tasks 0 and 11 of the next layer: it follows 11.
          ? t.branch(taskId, python("shape.pick", { choice: id(`l${layer + 1}`, 11) }))
          : t.task(taskId, i % 3 === 2 ? empty() : python("shape.noop"), { triggerRule: rule });
        if (previous.length) t.list(previous[i], previous[(i * 7 + 3) % 20]).then(ref);
        current.push(ref);
      }
      previous = current;
    }
  },
}));

registerDag(dag({
  dagId: "bench_one",
  schedule: null,
  tasks: (t) => {
    t.task("only", python("shape.noop"));
  },
}));
