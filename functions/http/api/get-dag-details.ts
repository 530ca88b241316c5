// GET /api/v1/dags/{dag_id}/details, /dags/{dag_id}/tasks and /dags/{dag_id}/tasks/{task_id}: a
// DAG's full description and its tasks, as Airflow's DAGDetail and Task objects.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import type { CompiledDag, CompiledTask } from "../../../orchestrations/runtime/model/compiled-dag";
import { OPERATORS } from "../../activities";
import { getDag } from "../../dag-registry";
import { appDagStateStore } from "../../ledger/dag-state";
import { appRunLedger } from "../../runs/app-run-ledger";
import { airflowClassOf } from "./airflow-operators";
import { apiDate } from "./api-dates";
import { apiRoute } from "./api-route";
import { dagResource, MAX_ACTIVE_TASKS, PARSED_AT, timeDelta } from "./dag-resource";
import { badRequest, dagNotFound, notFound } from "./problem";
import { compareText, listParam, selectFields } from "./query";
import { priorityWeight } from "./task-instance-resource";

function requireDag(dagId: string): CompiledDag {
  const dag = getDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  return dag;
}

/** Params as Airflow's DAGDetail shows them: each a serialised Param. */
function paramsOf(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(params).map(([k, value]) => [k, { __class: "airflow.models.param.Param", value, description: null, schema: {} }]));
}

export async function getDagDetails(request: HttpRequest): Promise<HttpResponseInit> {
  const dag = requireDag(request.params.dag_id);
  const runs = await appRunLedger().listDagRuns(dag.dagId);
  const base = dagResource(dag, { paused: await appDagStateStore().isPaused(dag.dagId), runs, now: new Date() });
  const detail = {
    ...base,
    timezone: "Timezone('UTC')",
    catchup: dag.catchup,
    orientation: "LR",
    concurrency: MAX_ACTIVE_TASKS,
    start_date: apiDate(dag.startDate),
    dag_run_timeout: dag.dagrunTimeoutSeconds === null ? null : timeDelta(dag.dagrunTimeoutSeconds),
    dataset_expression: null,
    doc_md: null,
    params: paramsOf(dag.params),
    end_date: apiDate(dag.endDate),
    is_paused_upon_creation: null,
    last_parsed: PARSED_AT,
    template_search_path: null,
    render_template_as_native_obj: false,
  };
  return { status: 200, jsonBody: selectFields([detail], listParam(request.query, "fields"), "DAGDetailSchema")[0] };
}

const TEMPLATE_FIELDS = new Map(OPERATORS.map((o) => [o.name, [...o.templateFields]]));

export function taskResource(dag: CompiledDag, task: CompiledTask) {
  return {
    class_ref: airflowClassOf(task.operator, task),
    task_id: task.taskId,
    task_display_name: task.taskId,
    owner: "airflow",
    start_date: apiDate(dag.startDate),
    end_date: apiDate(dag.endDate),
    trigger_rule: task.triggerRule,
    extra_links: [],
    depends_on_past: task.dependsOnPast,
    is_mapped: task.mapping !== null,
    wait_for_downstream: false,
    retries: task.retry.retries,
    queue: "default",
    executor: null,
    pool: "default_pool",
    pool_slots: 1,
    execution_timeout: task.executionTimeoutSeconds === null ? null : timeDelta(task.executionTimeoutSeconds),
    retry_delay: timeDelta(task.retry.retryDelaySeconds),
    retry_exponential_backoff: task.retry.exponentialBackoff,
    priority_weight: priorityWeight(dag, task.taskId) ?? 1,
    weight_rule: "downstream",
    ui_color: "#fff",
    ui_fgcolor: "#000",
    template_fields: TEMPLATE_FIELDS.get(task.operator) ?? [],
    downstream_task_ids: [...task.downstream],
    doc_md: task.doc,
    /** azflow's own operator name, next to Airflow's class in class_ref. */
    azflow_operator: task.operator,
  };
}

type TaskResource = ReturnType<typeof taskResource>;
const SORTABLE: readonly (keyof TaskResource)[] = [
  "task_id", "task_display_name", "owner", "start_date", "end_date", "trigger_rule", "depends_on_past", "is_mapped", "wait_for_downstream",
  "retries", "queue", "pool", "pool_slots", "retry_exponential_backoff", "priority_weight", "weight_rule", "ui_color", "ui_fgcolor", "doc_md",
];

function compareValues(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  return compareText(a === null || a === undefined ? null : String(a), b === null || b === undefined ? null : String(b));
}

export async function getTasks(request: HttpRequest): Promise<HttpResponseInit> {
  const dag = requireDag(request.params.dag_id);
  const raw = request.query.get("order_by") || "task_id";
  const field = raw.replace(/^-+/, "") as keyof TaskResource;
  if (!SORTABLE.includes(field)) throw badRequest(`Ordering with '${field}' is disallowed or the attribute does not exist on the model`);
  const sign = raw.startsWith("-") ? -1 : 1;
  const tasks = dag.taskOrder.map((id) => taskResource(dag, dag.tasks[id]))
    .sort((a, b) => sign * compareValues(a[field], b[field]) || compareText(a.task_id, b.task_id));
  return { status: 200, jsonBody: { tasks, total_entries: tasks.length } };
}

export async function getTask(request: HttpRequest): Promise<HttpResponseInit> {
  const dag = requireDag(request.params.dag_id);
  const taskId = request.params.task_id;
  const task = Object.hasOwn(dag.tasks, taskId) ? dag.tasks[taskId] : undefined;
  if (!task) throw notFound("Task not found", `Task with id '${taskId}' not found`);
  return { status: 200, jsonBody: taskResource(dag, task) };
}

apiRoute("api_get_dag_details", "GET", "dags/{dag_id}/details", getDagDetails);
apiRoute("api_get_tasks", "GET", "dags/{dag_id}/tasks", getTasks);
apiRoute("api_get_task", "GET", "dags/{dag_id}/tasks/{task_id}", getTask);
