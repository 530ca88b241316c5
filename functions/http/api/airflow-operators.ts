// The Airflow operator class each azflow operator stands for, as Airflow clients show it
// (TaskInstance.operator, Task.class_ref). Operators with no Airflow counterpart keep azflow's name
// in Airflow's naming style under the module `azflow.operators`.
import type { CompiledTask } from "../../../orchestrations/runtime/model/compiled-dag";

export interface ClassReference {
  module_path: string;
  class_name: string;
}

const CLASSES: Record<string, [string, string]> = {
  empty: ["airflow.operators.empty", "EmptyOperator"],
  bash: ["airflow.operators.bash", "BashOperator"],
  python: ["airflow.operators.python", "PythonOperator"],
  sql: ["airflow.providers.common.sql.operators.sql", "SQLExecuteQueryOperator"],
  sql_sensor: ["airflow.providers.common.sql.sensors.sql", "SqlSensor"],
  http: ["airflow.providers.http.operators.http", "HttpOperator"],
  http_sensor: ["airflow.providers.http.sensors.http", "HttpSensor"],
  blob_upload: ["airflow.providers.microsoft.azure.transfers.local_to_wasb", "LocalFilesystemToWasbOperator"],
  blob_prefix_sensor: ["airflow.providers.microsoft.azure.sensors.wasb", "WasbPrefixSensor"],
  kafka_produce: ["airflow.providers.apache.kafka.operators.produce", "ProduceToTopicOperator"],
  trigger_dag_run: ["airflow.operators.trigger_dagrun", "TriggerDagRunOperator"],
  external_task_sensor: ["airflow.sensors.external_task", "ExternalTaskSensor"],
  time_delta_sensor: ["airflow.sensors.time_delta", "TimeDeltaSensor"],
};

// Branching and sensing with a callable have classes of their own in Airflow.
const BY_KIND: Record<string, Record<string, [string, string]>> = {
  branch: { python: ["airflow.operators.python", "BranchPythonOperator"], sql: ["airflow.operators.sql", "BranchSQLOperator"] },
  sensor: { python: ["airflow.sensors.python", "PythonSensor"] },
};

function ownClass(operator: string): [string, string] {
  const camel = operator.split("_").map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join("");
  return ["azflow.operators", /(Operator|Sensor)$/.test(camel) ? camel : `${camel}Operator`];
}

/** A branch through an operator Airflow has no branching class for: azflow's own, named as a branch. */
function ownBranchClass(operator: string): [string, string] {
  const [module, name] = ownClass(operator);
  return [module, `Branch${name}`];
}

export function airflowClassOf(operator: string, task?: Pick<CompiledTask, "kind">): ClassReference {
  const [module_path, class_name] = (task && BY_KIND[task.kind]?.[operator])
    ?? (task?.kind === "branch" ? ownBranchClass(CLASSES[operator]?.[1].replace(/Operator$/, "") ?? operator) : undefined)
    ?? CLASSES[operator] ?? ownClass(operator);
  return { module_path, class_name };
}
