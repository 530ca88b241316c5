// Failure history events as the extension records them for a JavaScript app (its default
// ErrorPropagationMode, SerializeExceptions): a Reason and a Details text, no FailureDetails. The
// SDK turns them into `new Error(`${Reason} \n ${Details}`)`, which is what orchestrator code sees.
import { FunctionTimeoutError } from "../../invoke";
import { events, type HistoryEvent } from "../history";
import { sanitize } from "./sanitizer";

/** A .NET exception as Utils.SerializeCause writes it (Newtonsoft, TypeNameHandling.Objects). */
function serializedException(className: string, message: string, stack: string | undefined, inner?: object): string {
  return JSON.stringify({
    $type: `${className}, ${className.startsWith("System.") ? "System.Private.CoreLib" : "Microsoft.Azure.WebJobs.Script"}`,
    ClassName: className,
    Message: message,
    Data: null,
    InnerException: inner ?? null,
    HelpURL: null,
    StackTraceString: stack ?? null,
    RemoteStackTraceString: null,
    RemoteStackIndex: 0,
    ExceptionMethod: null,
    HResult: -2146233088,
    Source: null,
    WatsonBuckets: null,
  });
}

/**
 * TaskActivityShim for a user-code error: the Node worker reports error.message and error.stack;
 * the host wraps them in an RpcException ("Result: Failure\nException: <sanitized message>\nStack:
 * <stack>"), the extension cuts the text between "Exception:" and "\nStack:" (so it keeps the
 * space after the colon) and records "Activity function '<name>' failed: <that text>".
 */
export function activityFailed(at: Date, id: number, functionName: string, err: unknown): HistoryEvent {
  if (err instanceof FunctionTimeoutError) {
    const reason = `Activity function '${functionName}' failed: ${err.message}`;
    return events.taskFailedWithReason(at, id, reason, serializedException("Microsoft.Azure.WebJobs.Host.FunctionTimeoutException", err.message, undefined));
  }
  const message = err instanceof Error ? err.message : typeof err === "string" ? err : JSON.stringify(err) ?? String(err);
  const stack = err instanceof Error ? err.stack : undefined;
  const friendly = ` ${sanitize(message)}`;
  const rpc = JSON.parse(serializedException("Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException", `Result: Failure\nException: ${sanitize(message)}\nStack: ${stack ?? ""}`, undefined)) as object;
  return events.taskFailedWithReason(at, id, `Activity function '${functionName}' failed: ${friendly}`, serializedException("System.Exception", friendly, undefined, rpc));
}

/** A child orchestration's failure as its parent receives it (OrchestrationFailureException). */
export function subOrchestrationFailed(at: Date, id: number, reason: string, details: string): HistoryEvent {
  return events.subOrchestrationFailedWithReason(at, id, reason, details);
}
