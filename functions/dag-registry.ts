// The DAGs this app runs, by id: filled as functions/index.ts registers each DAG, read by the
// REST API, the triggers and the CLI.
import type { CompiledDag } from "../orchestrations/runtime/model/dag";

const dags = new Map<string, CompiledDag>();

export function addDag(dag: CompiledDag): void {
  if (dags.has(dag.dagId)) throw new Error(`DAG '${dag.dagId}' is registered twice.`);
  dags.set(dag.dagId, dag);
}

export function getDag(dagId: string): CompiledDag | undefined {
  return dags.get(dagId);
}

/** Every DAG, sorted by id (the REST API's default order). */
export function listDags(): CompiledDag[] {
  return [...dags.values()].sort((a, b) => a.dagId.localeCompare(b.dagId));
}
