// Started by parent_dag's trigger_A; echoes the message it was given in dag_run.conf.
import { bash, dag } from "./runtime";

export default dag({
  dagId: "child_dag_1",
  schedule: null,
  startDate: "2024-01-01",
  tags: ["dependencies"],
  tasks: (t) => {
    t.task("downstream_task", bash({
      command: 'echo "Upstream message: $message"',
      // Through env, not spliced into the command: conf is user input.
      env: { message: "{{ dag_run.conf.get('message', '') }}" },
      append_env: true,
    }));
  },
});
