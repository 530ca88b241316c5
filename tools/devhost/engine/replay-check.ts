// Determinism check (test mode): once an execution ends, replay its whole history once more
// and compare the actions and the outcome with what the episodes produced. Orchestrator code that
// reads the clock, random numbers, I/O or mutable module state diverges here and is named.
import type { LogSink } from "../invoke";
import type { RegisteredFunction } from "../registry";
import type { HistoryEvent } from "./history";
import { buildPayload, runEpisode, type EpisodeOutcome } from "./orchestration-runner";
import { describeAction } from "./sdk-table";

export interface RecordedExecution {
  instanceId: string;
  input: unknown;
  parentInstanceId?: string;
  history: HistoryEvent[];
  /** describeAction() of each action, in the order the episodes first produced them. */
  actions: string[];
  outcome: EpisodeOutcome;
}

function outcomeText(o: EpisodeOutcome): string {
  switch (o.kind) {
    case "completed":
      return `completed with ${JSON.stringify(o.output) ?? "undefined"}`;
    case "failed":
      return `failed with ${o.failure.ErrorMessage}`;
    case "continuedAsNew":
      return `continueAsNew with ${JSON.stringify(o.input) ?? "undefined"}`;
    default:
      return "still running";
  }
}

/** A description of the first divergence, or undefined when the replay matches. */
export async function checkReplay(fn: RegisteredFunction, run: RecordedExecution, log?: LogSink): Promise<string | undefined> {
  const history = run.history.map((e) => ({ ...e, IsPlayed: true }));
  const replay = await runEpisode(fn, buildPayload(run.instanceId, run.input, history, run.parentInstanceId), log);
  const replayed = replay.actions.map(describeAction);
  const count = Math.max(replayed.length, run.actions.length);
  for (let i = 0; i < count; i++) {
    if (replayed[i] !== run.actions[i]) {
      return `Non-deterministic orchestration '${fn.name}' (instance ${run.instanceId}): task #${i} was ${run.actions[i] ?? "(not scheduled)"} when it ran, but ${replayed[i] ?? "(not scheduled)"} on replay.`;
    }
  }
  const before = outcomeText(run.outcome);
  const after = outcomeText(replay);
  if (before !== after) return `Non-deterministic orchestration '${fn.name}' (instance ${run.instanceId}): it ${before} when it ran, but ${after} on replay.`;
  return undefined;
}
