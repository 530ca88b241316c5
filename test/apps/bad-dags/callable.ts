// An app with a python() task naming a callable nobody registered, beside one that is registered.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { registerDag } from "../../../functions/register-dag";
import { dag, python } from "../../../orchestrations/runtime";

registerCallable("bad_callable.known", () => "ok");

registerDag(dag({
  dagId: "bad_callable",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("fine", python("bad_callable.known")).then(t.task("typo", python("bad_callable.knwon")));
  },
}));
