// An app whose DAG file breaks while loading, outside any definition check.
import "../../../functions/activities";
import { registerDag } from "../../../functions/register-dag";
import { dag, empty } from "../../../orchestrations/runtime";

const settings = JSON.parse("{\"tasks\": null}") as { tasks: string[] | null };
const taskIds = settings.tasks!.slice();

registerDag(dag({
  dagId: "bad_throws",
  schedule: null,
  tasks: (t) => {
    for (const id of taskIds) t.task(id, empty());
  },
}));
