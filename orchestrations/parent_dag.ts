// DAG dependency and branching: draw a number, trigger child_dag_1 when it is even and
// child_dag_2 when it is odd. `finish` uses none_failed_min_one_success: with Airflow's default
// all_success it would be skipped after the branch.
import { dag, empty, python, triggerDagRun } from "./runtime";

export default dag({
  dagId: "parent_dag",
  schedule: "@daily",
  startDate: "2024-01-01",
  catchup: false,
  tags: ["dependencies", "branching"],
  tasks: (t) => {
    const start = t.task("start", empty());
    const draw = t.task("random_generator", python("parent_dag.random_number"));
    const decide = t.branch("make_decision", python("parent_dag.choose_child", { number: draw.output }));
    const triggerA = t.task("trigger_A", triggerDagRun({
      trigger_dag_id: "child_dag_1",
      conf: { message: "Message to pass to downstream DAG A." },
    }));
    const triggerB = t.task("trigger_B", triggerDagRun({ trigger_dag_id: "child_dag_2" }));
    const finish = t.task("finish", empty(), { triggerRule: "none_failed_min_one_success" });
    start.then(draw).then(decide).then([triggerA, triggerB]);
    t.list(triggerA, triggerB).then(finish);
  },
});
