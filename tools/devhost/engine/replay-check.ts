// Determinism check (test mode): once an execution ends, replay its whole history once more, as
// the extension would after a restart, and compare every scheduled task (kind, name and input)
// and the outcome with what the episodes produced. The extension itself checks only names, so
// an orchestrator that reads the clock, random numbers, I/O or mutable module state can diverge
// in its inputs unnoticed in Azure; here it is named.
import type { LogSink } from "../invoke";
import type { FunctionRegistry, RegisteredFunction } from "../registry";
import { runExtensionEpisode } from "./episode";
import { describeWork } from "./extension/extension-replay";
import { EventType, type HistoryEvent } from "./history";
import type { InstanceRecord } from "./instance-store";
import type { EpisodeOutcome } from "./orchestration-runner";

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

function recorded(e: HistoryEvent): string {
  const input = e.Input === undefined ? undefined : (JSON.parse(e.Input) as unknown);
  switch (e.EventType) {
    case EventType.TaskScheduled:
      return describeWork({ kind: "activity", name: e.Name ?? "", input, fireAt: new Date(0) });
    case EventType.SubOrchestrationInstanceCreated:
      return describeWork({ kind: "subOrchestration", name: e.Name ?? "", input, fireAt: new Date(0) });
    default:
      return describeWork({ kind: "timer", name: "", input: undefined, fireAt: new Date(e.FireAt as Date) });
  }
}

/**
 * Whether a replayed input matches the recorded one. An orchestrator may skip building inputs
 * while replaying (the extension reads only new work's input) and send `{ $replayed: summary }`
 * instead: then the summary's fields must match the recorded input's.
 */
function sameInput(replayed: unknown, recorded: unknown): boolean {
  const marker = (replayed as { $replayed?: unknown } | null)?.$replayed;
  if (marker !== undefined) {
    if (marker === true) return true;
    const fields = marker as Record<string, unknown>;
    const original = (recorded ?? {}) as Record<string, unknown>;
    return Object.entries(fields).every(([k, v]) => JSON.stringify(original[k]) === JSON.stringify(v));
  }
  return JSON.stringify(replayed ?? null) === JSON.stringify(recorded ?? null);
}

/** A description of the first divergence, or undefined when the replay matches. */
export async function checkReplay(fn: RegisteredFunction, registry: FunctionRegistry, rec: InstanceRecord, outcome: EpisodeOutcome, log?: LogSink): Promise<string | undefined> {
  const history = rec.history.map((e) => ({ ...e, IsPlayed: true }));
  const again = await runExtensionEpisode(fn, registry, rec, history, log);
  const prefix = `Non-deterministic orchestration '${fn.name}' (instance ${rec.instanceId})`;
  if (again.problem) return `${prefix} on replay: ${again.problem}`;
  for (const e of history) {
    if (e.EventType !== EventType.TaskScheduled && e.EventType !== EventType.SubOrchestrationInstanceCreated) continue;
    const work = again.replay.created.get(e.EventId);
    const input = e.Input === undefined ? undefined : (JSON.parse(e.Input) as unknown);
    if (!work || !sameInput(work.input, input)) {
      return `${prefix}: task #${e.EventId} was ${recorded(e)} when it ran, but ${work ? describeWork(work) : "(not scheduled)"} on replay.`;
    }
  }
  const before = outcomeText(outcome);
  const after = outcomeText(again.outcome);
  if (before !== after) return `${prefix}: it ${before} when it ran, but ${after} on replay.`;
  return undefined;
}
