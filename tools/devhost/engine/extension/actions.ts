// The actions an orchestrator returns to the Durable extension (out-of-proc schema V2/V3: one
// top-level action per yield, WhenAny/WhenAll nesting their children), as the extension's
// OutOfProcOrchestrationShim reads them. Field names are the wire names.

/** AsyncActionType in the extension's shim (and ActionType in durable-functions). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  ScheduledSignalEntity: 10,
  WhenAny: 11,
  WhenAll: 12,
} as const;

const UNSUPPORTED_NAMES: Record<number, string> = { 7: "callEntity", 8: "callHttp", 9: "signalEntity", 10: "signalEntity (scheduled)", 13: "lockEntities", 14: "releaseEntities" };

/** Retry options as the SDK sends them (RetryOptionsConverter in the extension reads these). */
export interface WireRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date | string;
  isCanceled?: boolean;
  retryOptions?: WireRetryOptions;
  externalEventName?: string;
  compoundActions?: SdkAction[];
}

/** The top-level actions of an OrchestratorState: under schema V2+, `actions` is `[[a1, a2, ...]]`. */
export function topLevelActions(actions: unknown): SdkAction[] {
  if (!Array.isArray(actions)) return [];
  if (actions.length > 1) throw new Error(`Out-of-proc schema V2+ expects one action list, got ${actions.length}: the orchestrator used the V1 schema, which azflow's local runtime does not model.`);
  const list = actions[0] as unknown;
  return Array.isArray(list) ? (list as SdkAction[]) : [];
}

/** Wire form of an input: the SDK JSON-encodes string inputs (Utils.processInput); the rest are values. */
export function actionInput(action: SdkAction): unknown {
  if (typeof action.input === "string") return JSON.parse(action.input) as unknown;
  return action.input === undefined ? undefined : (JSON.parse(JSON.stringify(action.input)) as unknown);
}

export function unsupportedActionName(actionType: number): string | undefined {
  return UNSUPPORTED_NAMES[actionType];
}

/** A short, stable description of what an input is about, for messages naming a task. */
export function inputSummary(input: unknown): string {
  if (input && typeof input === "object" && !Array.isArray(input)) {
    const o = input as Record<string, unknown>;
    if (typeof o.taskId === "string") return `task '${o.taskId}'${typeof o.mapIndex === "number" && o.mapIndex >= 0 ? `[${o.mapIndex}]` : ""}${typeof o.tryNumber === "number" ? ` try ${o.tryNumber}` : ""}`;
  }
  const text = JSON.stringify(input) ?? "undefined";
  return `input ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
}
