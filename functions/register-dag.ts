// Registers one DAG with the Functions host: its orchestration (named by the DAG id), its
// schedule timer, the blob triggers that wake its blob sensors, and its place in the registry the REST API and the CLI read.
import * as df from "durable-functions";
import type { CompiledDag } from "../orchestrations/runtime/model/compiled-dag";
import { dagOrchestrator } from "../orchestrations/runtime/orchestrator/dag-orchestrator";
import { DagDefinitionError, DefinitionProblems } from "../orchestrations/runtime/model/dag-errors";
import { operatorNames } from "./activities";
import { registeredCallables } from "./activities/callable";
import { addDag } from "./dag-registry";
import { registerBlobSensorTriggers } from "./triggers/blob-sensor-trigger";
import { registerScheduleTrigger } from "./triggers/schedule-trigger";

/** Orchestrator-run operators that need no activity. */
const BUILT_IN = ["empty", "time_delta_sensor"];

/**
 * Throws a DagDefinitionError listing every task that names an operator no activity implements,
 * or a python() callable nobody registered (callables register as their module loads, which the
 * app's entry does before it registers the DAGs).
 */
function checkRunnable(dag: CompiledDag): void {
  const known = new Set([...operatorNames(), ...BUILT_IN]);
  const callables = new Set(registeredCallables());
  const problems = new DefinitionProblems();
  for (const task of Object.values(dag.tasks)) {
    if (!known.has(task.operator)) {
      problems.add(new DagDefinitionError(dag.dagId, task.taskId, `unknown operator '${task.operator}' (known: ${[...known].sort().join(", ")}).`));
      continue;
    }
    const callable = task.operator === "python" ? (task.config as { callable?: unknown } | null)?.callable : undefined;
    if (typeof callable === "string" && !callables.has(callable)) {
      problems.add(new DagDefinitionError(dag.dagId, task.taskId, `python callable '${callable}' is not registered (registerCallable it before the DAG is registered; known: ${[...callables].join(", ") || "none"}).`));
    }
  }
  problems.throwIfAny();
}

export function registerDag(dag: CompiledDag): void {
  checkRunnable(dag);
  // Airflow logs a DeprecationWarning when it parses such a DAG; the host's log shows these.
  for (const warning of dag.warnings) console.warn(warning);
  addDag(dag);
  df.app.orchestration(dag.dagId, dagOrchestrator(dag));
  registerScheduleTrigger(dag);
  registerBlobSensorTriggers(dag);
}
