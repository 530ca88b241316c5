// GET /api/v1/dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id} (an unmapped instance)
// and .../taskInstances/{task_id}/{map_index} (one instance of a mapped task).
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import { getDag } from "../../dag-registry";
import type { DagRunRecord, TaskInstanceRecord } from "../../ledger/records";
import { appRunLedger } from "../../runs/app-run-ledger";
import { apiRoute } from "./api-route";
import { readRuns } from "./dag-run-query";
import { notFound } from "./problem";
import { taskInstanceResource } from "./task-instance-resource";

export const taskInstanceNotFound = (dagId: string, runId: string, taskId: string, mapIndex: number) =>
  notFound("Task instance not found", `Task instance of DAG '${dagId}', run '${runId}', task '${taskId}'${mapIndex >= 0 ? `, map index ${mapIndex}` : ""} not found`);

/** The instance and its run (reconciled with Durable), or a 404. */
export async function findTaskInstance(request: HttpRequest, context: InvocationContext, mapIndex: number): Promise<{ ti: TaskInstanceRecord; run: DagRunRecord }> {
  const { dag_id: dagId, dag_run_id: runId, task_id: taskId } = request.params;
  const ledger = appRunLedger();
  const stored = await ledger.getDagRun(dagId, runId);
  const ti = stored ? await ledger.getTaskInstance(dagId, runId, taskId, mapIndex) : undefined;
  if (!stored || !ti) throw taskInstanceNotFound(dagId, runId, taskId, mapIndex);
  const run = (await readRuns([dagId], context)).find((r) => r.dag_run_id === runId) ?? stored;
  const fresh = run !== stored ? (await ledger.getTaskInstance(dagId, runId, taskId, mapIndex)) ?? ti : ti;
  return { ti: fresh, run };
}

export async function getTaskInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { ti, run } = await findTaskInstance(request, context, -1);
  return { status: 200, jsonBody: taskInstanceResource(ti, run, getDag(ti.dag_id)) };
}

export async function getMappedTaskInstance(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  const { ti, run } = await findTaskInstance(request, context, Number(request.params.map_index));
  return { status: 200, jsonBody: taskInstanceResource(ti, run, getDag(ti.dag_id)) };
}

apiRoute("api_get_task_instance", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}", getTaskInstance, { durableClient: true });
apiRoute("api_get_mapped_task_instance", "GET", "dags/{dag_id}/dagRuns/{dag_run_id}/taskInstances/{task_id}/{map_index:int}", getMappedTaskInstance, { durableClient: true });
