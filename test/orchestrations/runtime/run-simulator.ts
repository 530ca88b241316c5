// A minimal stand-in for the generic orchestrator, for unit tests: it calls step() after every
// task finishes, runs one runnable task at a time with a scripted outcome, applies branch
// decisions and mapped expansions, and stops when the run state is decided.
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import { applyBranchSkips, resolveBranch } from "../../../orchestrations/runtime/rules/branching";
import { step, StepOptions } from "../../../orchestrations/runtime/rules/scheduler";
import type { DagRunState, TaskState, TaskStateOrNone, TaskStates } from "../../../orchestrations/runtime/rules/states";

export type Outcome =
  | TaskState
  | { branch: unknown }
  | { instances: TaskState[] };

export interface Simulation {
  states: TaskStates;
  runState: DagRunState;
  deadlocked: boolean;
  /** Task ids in the order they were started. */
  started: string[];
  errors: Record<string, string>;
}

export function simulate(dag: CompiledDag, outcomes: Record<string, Outcome>, options: StepOptions & { initial?: TaskStates } = {}): Simulation {
  let states: TaskStates = options.initial ?? {};
  const started: string[] = [];
  const errors: Record<string, string> = {};
  for (let guard = 0; guard < 1000; guard++) {
    const result = step(dag, states, options);
    states = result.states;
    if (result.runState !== "running" || result.runnable.length === 0) {
      return { states, runState: result.runState, deadlocked: result.deadlocked, started, errors };
    }
    const taskId = result.runnable[0];
    started.push(taskId);
    const outcome = outcomes[taskId] ?? "success";
    const next: Record<string, TaskStateOrNone | readonly TaskStateOrNone[]> = { ...states };
    if (typeof outcome === "string") {
      next[taskId] = outcome;
      states = next;
    } else if ("instances" in outcome) {
      next[taskId] = outcome.instances.length === 0 ? "skipped" : outcome.instances;
      states = next;
    } else {
      const decision = resolveBranch(dag, taskId, outcome.branch);
      if (decision.ok) {
        next[taskId] = "success";
        states = applyBranchSkips(next, decision.skip);
      } else {
        next[taskId] = "failed";
        errors[taskId] = decision.error;
        states = next;
      }
    }
  }
  throw new Error("simulation did not finish");
}
