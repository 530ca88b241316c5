// Cross-checks the durable-functions SDK's own bookkeeping against the extension's replay after
// an episode. The SDK matches history to tasks by the ids it assigned; the extension assigns ids
// by walking the returned actions. Where they disagree, results in Azure would reach the wrong
// tasks or work would be scheduled twice or late, so the local runtime fails the orchestration
// naming the task instead. These are SDK internals: pinned to the version below.
import * as fs from "node:fs";
import * as path from "node:path";
import { actionInput, inputSummary, type SdkAction } from "./actions";
import { describeWork, type ExtensionReplay, type ScheduledWork } from "./extension-replay";

export const SUPPORTED_SDK_VERSION = "3.5.0";

interface SdkTask {
  id: number | string | false;
  action?: SdkAction | "noOp";
  parent?: { retryOptions?: unknown; innerTask?: SdkTask; isWaitingOnTimer?: boolean };
}

/** The parts of the SDK's TaskOrchestrationExecutor read here. */
export interface SdkExecutor {
  openTasks: Record<string, SdkTask>;
  openEvents: Record<string, SdkTask[]>;
  sequenceNumber: number;
  currentTask?: { action?: SdkAction };
  exception?: unknown;
  willContinueAsNew: boolean;
}

let versionChecked = false;

/** Fails loudly when the app loaded another durable-functions than the one this check knows. */
export function assertSupportedSdk(appRoot: string): void {
  if (versionChecked) return;
  const pkgPath = require.resolve("durable-functions/package.json", { paths: [appRoot, __dirname] });
  const version = (JSON.parse(fs.readFileSync(pkgPath, "utf8")) as { version: string }).version;
  if (version !== SUPPORTED_SDK_VERSION) {
    throw new Error(`azflow devhost cross-checks durable-functions ${SUPPORTED_SDK_VERSION} internals (its task table), but ${path.dirname(pkgPath)} is ${version}. Re-verify tools/devhost/engine/extension/sdk-check.ts against that version and update SUPPORTED_SDK_VERSION.`);
  }
  versionChecked = true;
}

/** The executor the SDK left on `context.df` after running an episode. */
export function executorOf(context: object): SdkExecutor {
  const df = (context as { df?: { taskOrchestratorExecutor?: SdkExecutor } }).df;
  const executor = df?.taskOrchestratorExecutor;
  if (!executor || typeof executor.openTasks !== "object" || typeof executor.openEvents !== "object" || typeof executor.sequenceNumber !== "number") {
    throw new Error(`durable-functions internals changed: context.df.taskOrchestratorExecutor has no openTasks/openEvents/sequenceNumber (devhost supports ${SUPPORTED_SDK_VERSION}).`);
  }
  return executor;
}

interface Expected {
  kind: ScheduledWork["kind"];
  name: string;
  text: string;
}

/** What the SDK expects task `id` to be. */
function expectation(task: SdkTask): Expected | undefined {
  if (task.action === "noOp") {
    const inner = task.parent?.innerTask?.action;
    if (!inner || inner === "noOp") return undefined;
    if (task.parent?.isWaitingOnTimer) return { kind: "timer", name: "", text: `the retry timer of '${inner.functionName}'` };
    return { kind: inner.actionType === 3 ? "subOrchestration" : "activity", name: inner.functionName ?? "", text: `a retry of '${inner.functionName}' (${inputSummary(actionInput(inner))})` };
  }
  const action = task.action;
  if (!action) return undefined;
  switch (action.actionType) {
    case 0:
    case 1:
      return { kind: "activity", name: action.functionName ?? "", text: `activity '${action.functionName}' (${inputSummary(actionInput(action))})` };
    case 2:
    case 3:
      return { kind: "subOrchestration", name: action.functionName ?? "", text: `sub-orchestration '${action.functionName}'` };
    case 5:
      return { kind: "timer", name: "", text: `a timer firing at ${new Date(action.fireAt as Date).toISOString()}` };
    default:
      return undefined;
  }
}

const ISSUE_574 = "durable-functions re-sends the action of a task already yielded when it is put into a new Task.any/Task.all (azure-functions-durable-js issue 574)";

/**
 * A description of the first disagreement, or undefined. `done`: the orchestrator returned,
 * failed or continued as new in this episode.
 */
export function crossCheck(replay: ExtensionReplay, sdk: SdkExecutor, actions: SdkAction[], done: boolean): string | undefined {
  if (replay.resent) {
    const { first, again, work } = replay.resent;
    return `The Durable extension would schedule ${describeWork(work)} a second time, as task #${again} (it was task #${first}): ${ISSUE_574}. In Azure the work runs twice and later results reach the wrong tasks.`;
  }
  for (const [key, task] of Object.entries(sdk.openTasks)) {
    const id = Number(key);
    if (!Number.isInteger(id)) continue;
    const expected = expectation(task);
    if (!expected) continue;
    const work = replay.created.get(id);
    if (!work) {
      return `The orchestrator waits for ${expected.text} as task #${id}, but the Durable extension never schedules a task #${id}${replay.finished ? "" : ` (it still waits on top-level action #${replay.position})`}.`;
    }
    if (work.kind !== expected.kind || work.name.toLowerCase() !== expected.name.toLowerCase()) {
      return `Task #${id} is ${expected.text} for the orchestrator, but ${describeWork(work)} for the Durable extension: results would reach the wrong tasks.`;
    }
  }
  if (!done && sdk.sequenceNumber !== replay.sequenceNumber) {
    if (replay.sequenceNumber > sdk.sequenceNumber) {
      const extra = replay.created.get(sdk.sequenceNumber);
      return `The Durable extension schedules ${extra ? describeWork(extra) : "a task"} as task #${sdk.sequenceNumber}, which the orchestrator does not know about.`;
    }
    return `The orchestrator expects tasks up to #${sdk.sequenceNumber - 1}, but the Durable extension scheduled only up to #${replay.sequenceNumber - 1}${replay.finished ? "" : ` (it still waits on top-level action #${replay.position})`}.`;
  }
  if (!replay.finished) {
    const last = actions.length - 1;
    const waitingOnLast = !done && replay.position === last && sdk.currentTask?.action === actions[last];
    if (!waitingOnLast) {
      return `The orchestrator moved past its yield #${replay.position} while the Durable extension still waits for it, so in Azure everything it does afterwards would wait as well${done ? " (including the end of the orchestration)" : ""}. A Task.any/Task.all must not include a task yielded earlier.`;
    }
  }
  return undefined;
}
