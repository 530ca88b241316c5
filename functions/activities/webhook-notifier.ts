// A failure (or retry, or success) callback that notifies through a webhook connection: a JSON
// POST in the shape chat webhooks accept ({"text": ...}, Slack and Teams workflows alike) with the
// run's facts beside it. The reason is masked like every log line: no secret leaves in a message.
import { endpointUrl, httpTarget } from "../hooks/http";
import { maskSecrets } from "../hooks/secret-mask";
import type { Callback, CallbackInfo } from "./callbacks";

export function webhookMessage(info: CallbackInfo): Record<string, unknown> {
  const what = info.taskId ? `Task ${info.taskId}${info.mapIndex !== undefined && info.mapIndex >= 0 ? `[${info.mapIndex}]` : ""} of ${info.dagId}` : `DAG ${info.dagId}`;
  const reason = info.reason ? maskSecrets(info.reason) : null;
  return {
    text: `${what} ended ${info.state} in run ${info.runId}${reason ? `: ${reason}` : "."}`,
    dag_id: info.dagId, run_id: info.runId, task_id: info.taskId, map_index: info.mapIndex ?? -1, state: info.state, reason,
  };
}

/** The callback for `onFailureCallback`; `connId` is an HTTP connection whose host is the webhook URL. */
export function webhookNotifier(connId: string, endpoint = ""): Callback {
  return async (info, log) => {
    const target = httpTarget(connId);
    const url = endpointUrl(target, endpoint);
    const response = await fetch(url, {
      method: "POST",
      headers: { ...target.headers, "Content-Type": "application/json" },
      body: JSON.stringify(webhookMessage(info)),
      signal: AbortSignal.timeout(30_000),
    });
    await response.body?.cancel();
    if (!response.ok) throw new Error(`webhook '${connId}' answered ${response.status} ${response.statusText}`);
    log(`Notified webhook '${connId}' (${response.status}).`);
  };
}
