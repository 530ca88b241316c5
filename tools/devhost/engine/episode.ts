// One orchestrator episode as the Durable extension runs it: the SDK replays the history and
// returns its actions; the extension's replay walks them against the same history to find the
// sequence ids and what is new; the SDK's own task table is cross-checked against those ids.
import type { LogSink } from "../invoke";
import type { FunctionRegistry, RegisteredFunction } from "../registry";
import { ExtensionReplay, type ReplayOptions } from "./extension/extension-replay";
import { crossCheck } from "./extension/sdk-check";
import type { HistoryEvent } from "./history";
import type { InstanceRecord } from "./instance-store";
import { buildPayload, LONG_TIMER_INTERVAL_MS, MAXIMUM_SHORT_TIMER_MS, runEpisode, type EpisodeOutcome } from "./orchestration-runner";

export interface Episode {
  outcome: EpisodeOutcome;
  replay: ExtensionReplay;
  /** Why the extension would fail (or mis-run) this orchestration: non-determinism, an unknown name... */
  problem?: string;
}

export function replayOptions(registry: FunctionRegistry): ReplayOptions {
  return {
    functionExists: (name, kind) => {
      const fn = registry.get(name);
      return fn !== undefined && fn.trigger.type === (kind === "activity" ? "activityTrigger" : "orchestrationTrigger");
    },
    maximumTimerMs: MAXIMUM_SHORT_TIMER_MS,
    longTimerIntervalMs: LONG_TIMER_INTERVAL_MS,
  };
}

/** Runs the orchestrator over `history` (which already holds this episode's new events). */
export async function runExtensionEpisode(fn: RegisteredFunction, registry: FunctionRegistry, rec: InstanceRecord, history: HistoryEvent[], log?: LogSink): Promise<Episode> {
  const outcome = await runEpisode(fn, buildPayload(rec.instanceId, rec.input, history, rec.parent?.instanceId), log);
  const replay = new ExtensionReplay(outcome.actions, replayOptions(registry)).run(history);
  const problem = replay.failure ?? (outcome.executor ? crossCheck(replay, outcome.executor, outcome.actions, outcome.kind !== "running") : undefined);
  return { outcome, replay, problem: problem ?? undefined };
}
