// Test app for the REST API against the real DAG orchestrator: the API, every activity, and two
// DAGs (state.ts) whose tasks log, read Variables in templates, map, fail until told otherwise, and wait.
import "../../../functions/activities";
import "../../../functions/http/api";
import { registerCallable } from "../../../functions/activities/callable";
import { registerDag } from "../../../functions/register-dag";
import { restDags } from "./state";

registerCallable("rest.hello", (kwargs, ctx) => {
  ctx.log(`hello says ${String(kwargs.greeting)} in ${String(kwargs.config ?? "no colour")}`);
  return { greeting: kwargs.greeting };
});
registerCallable("rest.numbers", () => [1, 2, 3]);
registerCallable("rest.double", (kwargs) => Number(kwargs.x) * 2);
registerCallable("rest.flaky", (kwargs, ctx) => {
  ctx.log(`flaky sees ok=${String(kwargs.ok)}`);
  if (kwargs.ok !== "yes") throw new Error("flaky is not ok yet");
  return "fine";
});

for (const dag of restDags) registerDag(dag);
