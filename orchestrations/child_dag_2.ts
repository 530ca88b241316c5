// Started by parent_dag's trigger_B.
import { bash, dag, empty } from "./runtime";

export default dag({
  dagId: "child_dag_2",
  schedule: null,
  startDate: "2024-01-01",
  tags: ["dependencies"],
  tasks: (t) => {
    const downstream = t.task("downstream_task", bash({ command: 'echo "child_dag_2 ran for run {{ run_id }}"' }));
    downstream.then(t.task("next", empty()));
  },
});
