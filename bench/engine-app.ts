// The functions the engine benchmark runs: a no-op activity, a chain and a fan-out.
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";

df.app.activity("BenchNoop", { handler: (i: number) => i });

df.app.orchestration("BenchChain", function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  let last = 0;
  for (let i = 0; i < n; i++) last = (yield context.df.callActivity("BenchNoop", i)) as number;
  return last;
});

df.app.orchestration("BenchFanOut", function* (context: OrchestrationContext) {
  const n = context.df.getInput() as number;
  const results = (yield context.df.Task.all(Array.from({ length: n }, (_, i) => context.df.callActivity("BenchNoop", i)))) as number[];
  return results.length;
});
