// Reads the durable-functions SDK's own task table after an episode. The SDK assigns sequence
// ids depth-first as tasks are yielded, and for retries it allocates ids for each backoff timer
// and attempt while it processes history; reading its table (instead of re-deriving ids from
// the action list) keeps every id exact, even when several completions, some of them retried
// failures, arrive in one episode. These are SDK internals: pinned to the version below.
import * as fs from "node:fs";
import * as path from "node:path";
import type { RetryPolicy } from "./retry";

export const SUPPORTED_SDK_VERSION = "3.5.0";

// SDK ActionType values (lib/src/actions/ActionType.js).
const ACTION = { CallActivity: 0, CallActivityWithRetry: 1, CallSubOrchestrator: 2, CallSubOrchestratorWithRetry: 3, ContinueAsNew: 4, CreateTimer: 5, WaitForExternalEvent: 6, WhenAny: 11, WhenAll: 12 } as const;
const ACTION_NAMES: Record<number, string> = { 7: "callEntity", 8: "callHttp", 9: "signalEntity", 13: "lockEntities", 14: "releaseEntities" };

export type OpenWork =
  | { kind: "activity"; id: number; name: string; input: unknown; retry?: RetryInfo }
  | { kind: "subOrchestration"; id: number; name: string; instanceId?: string; input: unknown; retry?: RetryInfo }
  | { kind: "timer"; id: number; fireAt: Date }
  | { kind: "retryTimer"; id: number; name: string; retry: RetryInfo }
  | { kind: "unsupported"; id: number; what: string };

export interface RetryInfo {
  policy: RetryPolicy;
  /** The id of the first attempt: the retry timeout is measured from when it was scheduled. */
  firstAttemptId: number;
  /** For attempts: this attempt's number; for retry timers: the attempt that just failed. */
  attempt: number;
}

/** The subset of SDK objects read here; anything else about them is left alone. */
interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  fireAt?: Date;
  retryOptions?: RetryPolicy;
  externalEventName?: string;
  compoundActions?: SdkAction[];
}
interface SdkTask {
  id: number | string | false;
  action?: SdkAction | "noOp";
  parent?: SdkRetryableTask;
}
interface SdkRetryableTask {
  retryOptions?: RetryPolicy;
  innerTask?: SdkTask;
  attemptNumber?: number;
  isWaitingOnTimer?: boolean;
}
export interface SdkExecutor {
  openTasks: Record<string, SdkTask>;
  openEvents: Record<string, SdkTask[]>;
  deferredTasks: Record<string, unknown[]>;
  sequenceNumber: number;
  exception?: unknown;
  willContinueAsNew: boolean;
}

let versionChecked = false;

/** Fails loudly when the app loaded another durable-functions than the one this reader knows. */
export function assertSupportedSdk(appRoot: string): void {
  if (versionChecked) return;
  const pkgPath = require.resolve("durable-functions/package.json", { paths: [appRoot, __dirname] });
  const version = (JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string }).version;
  if (version !== SUPPORTED_SDK_VERSION) {
    throw new Error(`azflow devhost reads durable-functions ${SUPPORTED_SDK_VERSION} internals (its task table) to keep sequence ids exact, but ${path.dirname(pkgPath)} is ${version}. Re-verify tools/devhost/engine/sdk-table.ts against that version and update SUPPORTED_SDK_VERSION.`);
  }
  versionChecked = true;
}

/** The executor the SDK left on `context.df` after running an episode. */
export function executorOf(context: object): SdkExecutor {
  const df = (context as { df?: { taskOrchestratorExecutor?: SdkExecutor } }).df;
  const executor = df?.taskOrchestratorExecutor;
  if (!executor || typeof executor.openTasks !== "object" || typeof executor.openEvents !== "object" || typeof executor.deferredTasks !== "object" || typeof executor.sequenceNumber !== "number") {
    throw new Error(`durable-functions internals changed: context.df.taskOrchestratorExecutor has no openTasks/openEvents/deferredTasks/sequenceNumber (devhost supports ${SUPPORTED_SDK_VERSION}).`);
  }
  return executor;
}

/** Wire form of an action input: strings arrive JSON-encoded (Utils.processInput), the rest as values. */
export function actionInput(action: SdkAction): unknown {
  if (typeof action.input === "string") return JSON.parse(action.input) as unknown;
  return action.input === undefined ? undefined : (JSON.parse(JSON.stringify(action.input)) as unknown);
}

function workFor(id: number, action: SdkAction, retry?: RetryInfo): OpenWork {
  switch (action.actionType) {
    case ACTION.CallActivity:
    case ACTION.CallActivityWithRetry:
      return { kind: "activity", id, name: action.functionName ?? "", input: actionInput(action), retry };
    case ACTION.CallSubOrchestrator:
    case ACTION.CallSubOrchestratorWithRetry:
      return { kind: "subOrchestration", id, name: action.functionName ?? "", instanceId: action.instanceId, input: action.input === undefined ? undefined : JSON.parse(JSON.stringify(action.input)), retry };
    case ACTION.CreateTimer:
      return { kind: "timer", id, fireAt: new Date(action.fireAt as Date) };
    default:
      return { kind: "unsupported", id, what: ACTION_NAMES[action.actionType] ?? `action type ${action.actionType}` };
  }
}

/** Every task the SDK is waiting on, by id, classified into the work the runtime must do. */
export function openWork(executor: SdkExecutor): OpenWork[] {
  const work: OpenWork[] = [];
  for (const [key, task] of Object.entries(executor.openTasks)) {
    const id = Number(key);
    const parent = task.parent;
    if (task.action === "noOp") {
      // A NoOpTask under a RetryableTask: the backoff timer, or the next attempt after it.
      const inner = parent?.innerTask?.action;
      if (!parent?.retryOptions || !inner || inner === "noOp" || typeof parent.innerTask?.id !== "number") throw new Error(`Open task ${id} is an SDK placeholder outside a retry: unsupported by devhost.`);
      const attemptNumber = parent.attemptNumber ?? 1;
      const retry: RetryInfo = { policy: parent.retryOptions, firstAttemptId: parent.innerTask.id, attempt: parent.isWaitingOnTimer ? attemptNumber - 1 : attemptNumber };
      work.push(parent.isWaitingOnTimer ? { kind: "retryTimer", id, name: inner.functionName ?? "", retry } : workFor(id, inner, retry));
      continue;
    }
    if (!task.action) throw new Error(`Open task ${id} has no action: unsupported SDK state.`);
    const isFirstAttempt = task.action.actionType === ACTION.CallActivityWithRetry || task.action.actionType === ACTION.CallSubOrchestratorWithRetry;
    const retry = isFirstAttempt && task.action.retryOptions ? { policy: task.action.retryOptions, firstAttemptId: id, attempt: 1 } : undefined;
    work.push(workFor(id, task.action, retry));
  }
  return work.sort((a, b) => a.id - b.id);
}

/** Names of external events the orchestration is waiting for. */
export function awaitedEvents(executor: SdkExecutor): string[] {
  return Object.keys(executor.openEvents);
}

/**
 * Completion events the SDK buffered because no open task has their id. For event names that is
 * normal (raised before the wait); for a numeric id it means the runtime sent a completion for a
 * task the SDK never scheduled, which would otherwise hang silently.
 */
export function orphanedCompletionIds(executor: SdkExecutor): number[] {
  return Object.keys(executor.deferredTasks).filter((k) => /^\d+$/.test(k)).map(Number);
}

/** Depth-first flat list of leaf actions (compound WhenAll/WhenAny actions nest under V2+). */
export function flattenActions(actions: unknown): SdkAction[] {
  const out: SdkAction[] = [];
  const visit = (a: unknown) => {
    if (Array.isArray(a)) return a.forEach(visit);
    const action = a as SdkAction;
    if (action && (action.actionType === ACTION.WhenAll || action.actionType === ACTION.WhenAny) && action.compoundActions) return action.compoundActions.forEach(visit);
    if (action && typeof action.actionType === "number") out.push(action);
  };
  visit(actions);
  return out;
}

export function isContinueAsNew(action: SdkAction): boolean {
  return action.actionType === ACTION.ContinueAsNew;
}

/** A stable description of an action for the determinism check, naming the task. */
export function describeAction(action: SdkAction): string {
  switch (action.actionType) {
    case ACTION.CallActivity:
    case ACTION.CallActivityWithRetry:
      return `callActivity '${action.functionName}' input ${JSON.stringify(actionInput(action)) ?? "undefined"}`;
    case ACTION.CallSubOrchestrator:
    case ACTION.CallSubOrchestratorWithRetry:
      return `callSubOrchestrator '${action.functionName}'${action.instanceId ? ` id ${action.instanceId}` : ""} input ${JSON.stringify(action.input) ?? "undefined"}`;
    case ACTION.CreateTimer:
      return `createTimer fireAt ${new Date(action.fireAt as Date).toISOString()}`;
    case ACTION.WaitForExternalEvent:
      return `waitForExternalEvent '${action.externalEventName}'`;
    case ACTION.ContinueAsNew:
      return `continueAsNew input ${JSON.stringify(action.input) ?? "undefined"}`;
    default:
      return ACTION_NAMES[action.actionType] ?? `action type ${action.actionType}`;
  }
}
