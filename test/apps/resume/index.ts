// A slow chain for the restart test: each step appends "start:<n>" and "done:<n>" lines to a log
// file, so the test can see which activities ran, and how often, across a host restart.
import * as fs from "node:fs";
import * as df from "durable-functions";
import type { OrchestrationContext } from "durable-functions";

interface StepInput {
  logFile: string;
  step: number;
  sleepMs: number;
}

df.app.activity("Step", {
  handler: async (input: StepInput) => {
    fs.appendFileSync(input.logFile, `start:${input.step}\n`);
    await new Promise((r) => setTimeout(r, input.sleepMs));
    fs.appendFileSync(input.logFile, `done:${input.step}\n`);
    return input.step * 10;
  },
});

df.app.orchestration("ResumeChain", function* (context: OrchestrationContext) {
  const { logFile, steps, sleepMs } = context.df.getInput() as { logFile: string; steps: number; sleepMs: number };
  const results: number[] = [];
  for (let step = 1; step <= steps; step++) results.push((yield context.df.callActivity("Step", { logFile, step, sleepMs })) as number);
  // A durable timer too: it must survive the restart as well.
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 300));
  return results;
});
