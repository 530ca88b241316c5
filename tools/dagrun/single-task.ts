// `tasks test`: one task's operator activity called directly, with the invocation the DAG
// orchestrator would build. Upstream XComs come from the run on that logical date when the ledger
// has one (as Airflow's `tasks test` reads them from its DB); the attempt itself records nothing.
import type { CompiledDag, CompiledTask } from "../../orchestrations/runtime/model/compiled-dag";
import type { JsonValue } from "../../orchestrations/runtime/model/json";
import { collectMappedResults, expandMapping, instanceConfig } from "../../orchestrations/runtime/rules/mapping";
import { ledgerVersion, operatorActivityName, type TaskActivityResult, type TaskInvocation } from "../../orchestrations/runtime/orchestrator/task-invocation";
import { airflowIso } from "../../orchestrations/runtime/time/time";
import { selectXComs, xcomListPlaceholders } from "../../orchestrations/runtime/orchestrator/xcom-selection";
import type { DagRunRecord, TaskInstanceRecord } from "../../functions/ledger/records";
import { DurableHttpApi, invokeFunction, readHostConfig } from "../devhost";
import { CliError } from "../cli/cli-error";
import type { CliRuntime } from "./cli-runtime";

export interface PreparedTask {
  task: CompiledTask;
  invocation: TaskInvocation;
  /** The ledger run whose XComs were used, if one exists for the date. */
  existingRun: DagRunRecord | undefined;
}

/** A task's XCom as downstream tasks see it: mapped results by map index, None omitted. */
function ledgerXComs(instances: readonly TaskInstanceRecord[]): (taskId: string) => JsonValue {
  return (taskId) => {
    const rows = instances.filter((ti) => ti.task_id === taskId && ti.state === "success");
    const parse = (ti: TaskInstanceRecord): JsonValue => (ti.xcom === null ? null : (JSON.parse(ti.xcom) as JsonValue));
    const mapped = rows.filter((ti) => ti.map_index >= 0).sort((a, b) => a.map_index - b.map_index);
    if (mapped.length) return collectMappedResults(mapped.map(parse)) as JsonValue;
    const unmapped = rows.find((ti) => ti.map_index < 0);
    return unmapped ? parse(unmapped) : null;
  };
}

export async function prepareTask(rt: CliRuntime, dag: CompiledDag, taskId: string, logicalDate: string, mapIndexOption: number | undefined): Promise<PreparedTask> {
  const task = dag.tasks[taskId];
  if (!task) throw new CliError(`DAG '${dag.dagId}' has no task '${taskId}' (tasks: ${dag.taskOrder.join(", ")}).`, 2);
  const { newDagRunRecord } = await import("../../functions/runs/create-dag-run");
  const now = new Date();
  const existingRun = await rt.ledger.findDagRunByLogicalDate(dag.dagId, logicalDate);
  const run = existingRun ?? newDagRunRecord(dag, { runType: "manual", logicalDate }, now);
  const xcomOf = ledgerXComs(existingRun ? await rt.ledger.listTaskInstances(dag.dagId, existingRun.dag_run_id) : []);
  let config = task.config;
  let mapIndex = -1;
  if (task.mapping) {
    const expansion = expandMapping(task.mapping, (ref) => xcomListPlaceholders(xcomOf(ref.$xcom.taskId)));
    if (!expansion.ok) throw new CliError(`${dag.dagId}.${taskId}: ${expansion.error}`);
    mapIndex = mapIndexOption ?? 0;
    if (mapIndex < 0 || mapIndex >= expansion.instances.length) {
      throw new CliError(`${dag.dagId}.${taskId} expands to ${expansion.instances.length} instance(s); --map-index ${mapIndex} is out of range.`, 2);
    }
    config = instanceConfig(task.config, expansion.instances[mapIndex]) as JsonValue;
  } else if (mapIndexOption !== undefined && mapIndexOption !== -1) {
    throw new CliError(`${dag.dagId}.${taskId} is not mapped; --map-index does not apply.`, 2);
  }
  const invocation: TaskInvocation = {
    dagId: dag.dagId,
    runId: run.dag_run_id,
    taskId,
    mapIndex,
    tryNumber: 1,
    maxTries: task.retry.retries + 1,
    operator: task.operator,
    mode: task.kind === "sensor" ? "poke" : "execute",
    config,
    run: {
      runType: run.run_type,
      logicalDate: run.logical_date,
      dataIntervalStart: run.data_interval_start ?? run.logical_date,
      dataIntervalEnd: run.data_interval_end ?? run.logical_date,
      conf: run.conf as TaskInvocation["run"]["conf"],
    },
    dagParams: dag.params,
    taskParams: task.params,
    xcoms: selectXComs(dag, config, xcomOf),
    scheduledAt: airflowIso(now.getTime()),
    executionTimeoutSeconds: task.executionTimeoutSeconds,
    runDeadline: null,
    version: ledgerVersion(now.getTime(), 0),
    record: false,
  };
  return { task, invocation, existingRun };
}

/** Calls the operator's activity as the engine would, with the durable client bound. */
export async function invokeTask(rt: CliRuntime, invocation: TaskInvocation, log: (line: string) => void): Promise<TaskActivityResult> {
  const fn = rt.app.registry.require(operatorActivityName(invocation.operator), "activityTrigger");
  const hostConfig = readHostConfig(rt.app.appRoot);
  // The runtime serves the Durable HTTP API on the host name it set; TriggerDagRun reaches it there.
  const client = new DurableHttpApi(rt.engine, { taskHubName: hostConfig.hubName }).clientData(`http://${process.env.WEBSITE_HOSTNAME}`);
  const { result } = await invokeFunction(fn, invocation, { timeoutMs: hostConfig.functionTimeoutMs, log, extraInputsByType: { durableClient: client } });
  return result as TaskActivityResult;
}
