// Registers one DAG with the Functions host: its orchestration (named by the DAG id), its
// schedule timer, the blob triggers that wake its blob sensors, and its place in the registry the REST API and the CLI read.
import * as df from "durable-functions";
import type { CompiledDag } from "../orchestrations/runtime/model/compiled-dag";
import { dagOrchestrator } from "../orchestrations/runtime/orchestrator/dag-orchestrator";
import { operatorNames } from "./activities";
import { addDag } from "./dag-registry";
import { registerBlobSensorTriggers } from "./triggers/blob-sensor-trigger";
import { registerScheduleTrigger } from "./triggers/schedule-trigger";

/** Orchestrator-run operators that need no activity. */
const BUILT_IN = ["empty", "time_delta_sensor"];

export function registerDag(dag: CompiledDag): void {
  const known = new Set([...operatorNames(), ...BUILT_IN]);
  for (const task of Object.values(dag.tasks)) {
    if (!known.has(task.operator)) {
      throw new Error(`DAG '${dag.dagId}', task '${task.taskId}': unknown operator '${task.operator}' (known: ${[...known].sort().join(", ")}).`);
    }
  }
  // Airflow logs a DeprecationWarning when it parses such a DAG; the host's log shows these.
  for (const warning of dag.warnings) console.warn(warning);
  addDag(dag);
  df.app.orchestration(dag.dagId, dagOrchestrator(dag));
  registerScheduleTrigger(dag);
  registerBlobSensorTriggers(dag);
}
