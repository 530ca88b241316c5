// parent_dag as its Airflow original had it: `finish` keeps the default all_success rule, which a
// branch always skips. Registered beside the shipped children so the trigger tasks work.
import "../../../functions/activities";
import "../../../functions/callables/parent-dag";
import { registerDag } from "../../../functions/register-dag";
import { dag, empty, python, triggerDagRun } from "../../../orchestrations/runtime";
import childDag1 from "../../../orchestrations/child_dag_1";
import childDag2 from "../../../orchestrations/child_dag_2";

registerDag(childDag1);
registerDag(childDag2);
registerDag(dag({
  dagId: "parent_dag_default_rule",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const draw = t.task("random_generator", python("parent_dag.random_number"));
    const decide = t.branch("make_decision", python("parent_dag.choose_child", { number: draw.output }));
    const triggerA = t.task("trigger_A", triggerDagRun({ trigger_dag_id: "child_dag_1", conf: { message: "A" } }));
    const triggerB = t.task("trigger_B", triggerDagRun({ trigger_dag_id: "child_dag_2" }));
    draw.then(decide).then([triggerA, triggerB]);
    t.list(triggerA, triggerB).then(t.task("finish", empty()));
  },
}));
