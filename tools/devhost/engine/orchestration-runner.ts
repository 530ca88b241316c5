// Runs one orchestrator episode through the SDK's own replay: builds the payload the Durable
// extension sends, calls the handler df.app.orchestration registered, and reads back the
// OrchestratorState (or the $OutOfProcData$ carried by a failure) with the SDK's executor, whose
// top-level actions the extension's replay walks next.
import { createInvocationContext, type LogSink } from "../invoke";
import type { RegisteredFunction } from "../registry";
import type { SdkAction } from "./extension/actions";
import { executorOf, type SdkExecutor } from "./extension/sdk-check";
import { EventType, failureDetailsOf, type FailureDetails, type HistoryEvent } from "./history";

const OUT_OF_PROC_LABEL = "$OutOfProcData$:";

export interface OrchestratorPayload {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId?: string;
  upperSchemaVersion: number;
  upperSchemaVersionNew: number;
  longRunningTimerIntervalDuration: string;
  maximumShortTimerDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/** What the payload tells the SDK, and what the extension applies to timers (Azure Storage). */
export const MAXIMUM_SHORT_TIMER_MS = 6 * 86_400_000;
export const LONG_TIMER_INTERVAL_MS = 3 * 86_400_000;

interface OrchestratorState {
  isDone: boolean;
  actions: unknown[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  failureDetails?: FailureDetails;
}

interface EpisodeBase {
  /** The top-level actions, as the SDK built them (one per new yield). */
  actions: SdkAction[];
  /** Absent only when the handler failed before the SDK ran. */
  executor?: SdkExecutor;
  customStatus: unknown;
}

export type EpisodeOutcome = EpisodeBase &
  ({ kind: "running" } | { kind: "completed"; output: unknown } | { kind: "continuedAsNew"; input: unknown } | { kind: "failed"; failure: FailureDetails });

/** The payload as the host sends it (schema V3: upperSchemaVersionNew 2; 6-day timer limit). */
export function buildPayload(instanceId: string, input: unknown, history: HistoryEvent[], parentInstanceId?: string): OrchestratorPayload {
  let starts = 0;
  for (const e of history) if (e.EventType === EventType.OrchestratorStarted) starts++;
  return {
    history,
    // Each episode gets the input as the extension sends it, deserialized anew: an orchestrator
    // that changes its input object sees nothing of that in the next episode, as in Azure.
    input: input === undefined ? undefined : structuredClone(input),
    instanceId,
    isReplaying: starts > 1,
    parentInstanceId,
    upperSchemaVersion: 1,
    upperSchemaVersionNew: 2,
    longRunningTimerIntervalDuration: "3.00:00:00",
    maximumShortTimerDuration: "6.00:00:00",
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}

function stateFromFailure(err: unknown): OrchestratorState | undefined {
  const message = err instanceof Error ? err.message : undefined;
  const at = message?.indexOf(OUT_OF_PROC_LABEL) ?? -1;
  if (!message || at < 0) return undefined;
  return JSON.parse(message.slice(at + OUT_OF_PROC_LABEL.length)) as OrchestratorState;
}

function executorActions(executor: SdkExecutor): SdkAction[] {
  // The live action objects (not their JSON): the replay recognises an action sent twice by identity.
  return (executor as unknown as { actions: SdkAction[] }).actions ?? [];
}

export async function runEpisode(fn: RegisteredFunction, payload: OrchestratorPayload, log?: LogSink): Promise<EpisodeOutcome> {
  const context = createInvocationContext(fn, { log });
  let state: OrchestratorState;
  try {
    state = (await fn.handler(payload, context)) as OrchestratorState;
  } catch (err) {
    const failedState = stateFromFailure(err);
    if (!failedState) {
      // Thrown before the SDK could wrap it (bad payload, not a generator...): fail with it as is.
      return { kind: "failed", failure: failureDetailsOf(err), actions: [], customStatus: undefined };
    }
    // The SDK's wrapper loses the stack; the executor still holds the orchestrator's own error.
    const executor = executorOf(context);
    const original = failureDetailsOf(executor.exception);
    const failure: FailureDetails = { ...original, ErrorMessage: failedState.error ?? original.ErrorMessage, InnerFailure: failedState.failureDetails };
    return { kind: "failed", failure, actions: executorActions(executor), executor, customStatus: failedState.customStatus };
  }
  if (!state || !Array.isArray(state.actions)) throw new Error(`Orchestrator '${fn.name}' returned no OrchestratorState: register it with df.app.orchestration.`);
  const executor = executorOf(context);
  const actions = executorActions(executor);
  if (state.isDone) {
    if (executor.willContinueAsNew) {
      const raw = actions.find((a) => a.actionType === 4)?.input;
      // ContinueAsNewAction JSON-encodes string inputs like activity inputs do.
      const input = typeof raw === "string" ? (JSON.parse(raw) as unknown) : raw === undefined ? undefined : (JSON.parse(JSON.stringify(raw)) as unknown);
      return { kind: "continuedAsNew", input, actions, executor, customStatus: state.customStatus };
    }
    return { kind: "completed", output: state.output, actions, executor, customStatus: state.customStatus };
  }
  return { kind: "running", actions, executor, customStatus: state.customStatus };
}
