// A ledger task instance as the API's TaskInstance object (Airflow 2.10 v1 schema). Fields about
// Airflow's workers (pid, pool, queue, executor) get the values an Airflow task has by default:
// azflow runs tasks as activities and has none of those.
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import type { DagRunRecord, TaskInstanceRecord } from "../../ledger/records";
import { airflowClassOf } from "./airflow-operators";
import { apiDate } from "./api-dates";

export interface SlaMissResource {
  task_id: string;
  dag_id: string;
  execution_date: string | null;
  email_sent: boolean;
  timestamp: string | null;
  description: string;
  notification_sent: boolean;
}

export interface TaskInstanceResource {
  task_id: string;
  task_display_name: string;
  dag_id: string;
  dag_run_id: string;
  execution_date: string | null;
  start_date: string | null;
  end_date: string | null;
  duration: number | null;
  state: string | null;
  try_number: number;
  map_index: number;
  max_tries: number;
  hostname: string;
  unixname: string;
  pool: string;
  pool_slots: number;
  queue: string;
  priority_weight: number | null;
  operator: string | null;
  queued_when: string | null;
  pid: number | null;
  executor: string | null;
  executor_config: string;
  sla_miss: SlaMissResource | null;
  rendered_map_index: string | null;
  rendered_fields: Record<string, unknown>;
  trigger: null;
  triggerer_job: null;
  note: string | null;
  /** azflow's own operator name (operator holds the Airflow class it stands for). */
  azflow_operator: string | null;
}

/** Airflow's default weight rule "downstream": 1 plus one for every task downstream of it. */
export function priorityWeight(dag: CompiledDag | undefined, taskId: string): number | null {
  if (!dag || !Object.hasOwn(dag.tasks, taskId)) return null;
  const seen = new Set<string>();
  const stack = [...dag.tasks[taskId].downstream];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(dag.tasks[id]?.downstream ?? []));
  }
  return 1 + seen.size;
}

function renderedFields(text: string | undefined): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

export function taskInstanceResource(ti: TaskInstanceRecord, run: DagRunRecord, dag: CompiledDag | undefined): TaskInstanceResource {
  return {
    task_id: ti.task_id,
    task_display_name: ti.task_id,
    dag_id: ti.dag_id,
    dag_run_id: ti.dag_run_id,
    execution_date: apiDate(run.logical_date),
    start_date: apiDate(ti.start_date),
    end_date: apiDate(ti.end_date),
    duration: ti.duration,
    state: ti.state,
    try_number: ti.try_number,
    map_index: ti.map_index,
    max_tries: ti.max_tries,
    hostname: ti.hostname ?? "",
    unixname: "",
    pool: "default_pool",
    pool_slots: 1,
    queue: "default",
    priority_weight: priorityWeight(dag, ti.task_id),
    operator: ti.operator ? airflowClassOf(ti.operator, dag && Object.hasOwn(dag.tasks, ti.task_id) ? dag.tasks[ti.task_id] : undefined).class_name : null,
    queued_when: null,
    pid: null,
    executor: null,
    executor_config: "{}",
    sla_miss: ti.sla_missed_deadline
      ? {
          task_id: ti.task_id, dag_id: ti.dag_id, execution_date: apiDate(run.logical_date), email_sent: false,
          timestamp: apiDate(ti.end_date), description: `finished after its SLA deadline ${apiDate(ti.sla_missed_deadline)}`, notification_sent: false,
        }
      : null,
    rendered_map_index: null,
    rendered_fields: renderedFields(ti.rendered_fields),
    trigger: null,
    triggerer_job: null,
    note: null,
    azflow_operator: ti.operator || null,
  };
}
