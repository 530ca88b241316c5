// Registration rejects a DAG the runtime could not run, naming the DAG and the task.
import { test } from "node:test";
import assert from "node:assert/strict";
import { registerDag } from "../../functions/register-dag";
import { dag, empty, operator } from "../../orchestrations/runtime";

test("a task with an operator no activity implements is rejected at registration", () => {
  const bad = dag({
    dagId: "uses_unknown_operator",
    schedule: null,
    tasks: (t) => {
      t.task("start", empty()).then(t.task("mystery", operator("teleport", {})));
    },
  });
  assert.throws(() => registerDag(bad), /DAG 'uses_unknown_operator', task 'mystery': unknown operator 'teleport' \(known: .*bash.*\)/);
});

test("definition errors name the DAG and task before anything is registered", () => {
  assert.throws(
    () => dag({ dagId: "cyclic", schedule: null, tasks: (t) => { const a = t.task("a", empty()); a.then(t.task("b", empty())).then(a); } }),
    /DAG 'cyclic'.*cycle/,
  );
  assert.throws(() => dag({ dagId: "bad_schedule", schedule: "every tuesday", tasks: (t) => { t.task("a", empty()); } }), /DAG 'bad_schedule'.*schedule/);
});
