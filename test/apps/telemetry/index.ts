// A test app for telemetry: a DAG whose tasks log lines (one mapped), load a CSV blob into
// Postgres, and a DAG that fails, so the test sees log records, task durations, rows loaded and
// both run outcomes. The test sets the container and table through dag_run.conf.
import "../../../functions/activities";
import { registerCallable } from "../../../functions/activities/callable";
import { registerDag } from "../../../functions/register-dag";
import { dag, postgresCopy, python } from "../../../orchestrations/runtime";

registerCallable("tel.say", (kwargs, ctx) => {
  ctx.log(`saying ${String(kwargs.word)}`);
  return String(kwargs.word);
});

registerCallable("tel.fail", () => {
  throw new Error("this task always fails");
});

const conf = (key: string): string => `{{ dag_run.conf.get('${key}') }}`;

registerDag(dag({
  dagId: "telemetry_ok",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    const say = t.task("say", python("tel.say", { word: "hello" }));
    const each = t.task("each", python("tel.say"), { expand: { word: ["a", "b"] } });
    const load = t.task("load", postgresCopy({ table: conf("table"), container: conf("container"), blob: "rows.csv" }));
    t.chain(say, each, load);
  },
}));

registerDag(dag({
  dagId: "telemetry_fails",
  schedule: null,
  startDate: "2024-01-01",
  tasks: (t) => {
    t.task("boom", python("tel.fail"));
  },
}));
