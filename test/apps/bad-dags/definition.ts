// An app whose one DAG has three definition problems at once: the CLI reports each on its own line.
import "../../../functions/activities";
import { registerDag } from "../../../functions/register-dag";
import { dag, empty } from "../../../orchestrations/runtime";

registerDag(dag({
  dagId: "bad_definition",
  schedule: "every tuesday",
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("start", empty(), { triggerRule: "sometimes" as never });
    t.task("end", empty(), { upstream: ["nowhere"] });
  },
}));
