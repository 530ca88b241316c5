import type { CompiledDag } from "./compiled-dag";
import type { DagDefinition, DagSpec } from "./dag-definition";
import { buildTaskGraph } from "./dag-builder";
import { compileDag } from "./compile-dag";
import { DagDefinitionError } from "./dag-errors";

// The entry point of a DAG file:
//   export default dag({ dagId: "tutorial", schedule: "@daily", startDate: "2023-01-01",
//     tasks: (t) => { t.task("a", op).then(t.task("b", op)); } });
// It runs the tasks callback once, validates (throwing DagDefinitionError naming the DAG and the
// task) and returns the compiled DAG: plain JSON data the orchestrator runs.
export function dagSpec(definition: DagDefinition): DagSpec {
  const { tasks: body, ...rest } = definition;
  let graph: ReturnType<typeof buildTaskGraph>;
  try {
    graph = buildTaskGraph(body);
  } catch (error) {
    if (error instanceof DagDefinitionError) throw error;
    throw new DagDefinitionError(String(definition.dagId), null, (error as Error).message);
  }
  const { tasks, groups } = graph;
  return { definition: rest, tasks, groups };
}

export function dag(definition: DagDefinition): CompiledDag {
  return compileDag(dagSpec(definition));
}

export { chain, crossDownstream, GroupRef, NodeList, TaskRef } from "./dag-builder";
export type { Dependable, DependencyNode, GroupOptions, TaskBuilder } from "./dag-builder";
export type * from "./dag-definition";
export type * from "./compiled-dag";
export { DagDefinitionError } from "./dag-errors";
export { validateDag } from "./validate-dag";
export { compileDag } from "./compile-dag";
export { operator } from "./operator";
export type { OperatorRef } from "./operator";
