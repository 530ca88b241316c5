// Test app for the web UI in a real browser: the REST API, the UI's static files, every activity,
// and the DAGs of state.ts (a group, a mapped task, a branch, a task that fails until told
// otherwise, a waiting task, and a DAG scheduled every two seconds).
import "../../../functions/activities";
import "../../../functions/http/api";
import "../../../functions/http/ui/static-files";
import { registerCallable } from "../../../functions/activities/callable";
import { registerDag } from "../../../functions/register-dag";
import { webUiDags } from "./state";

registerCallable("ui.greet", (kwargs, ctx) => {
  ctx.log(`greeting ${String(kwargs.who)} on ${String(kwargs.day)}`);
  return `hello ${String(kwargs.who)}`;
});
registerCallable("ui.numbers", () => [1, 2, 3]);
registerCallable("ui.double", (kwargs) => Number(kwargs.x) * 2);
registerCallable("ui.choose", () => "path_a");
registerCallable("ui.flaky", (kwargs, ctx) => {
  ctx.log(`flaky sees ok=${String(kwargs.ok)}`);
  if (kwargs.ok !== "yes") throw new Error("flaky is not ok yet");
  return "fine";
});

for (const dag of webUiDags) registerDag(dag);
