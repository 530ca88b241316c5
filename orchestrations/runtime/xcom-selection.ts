import type { CompiledDag } from "./compiled-dag";
import { isPlainObject, JsonValue } from "./json";
import { findXComRefs } from "./xcom-ref";

// Which XComs an activity receives. Passing every result to every task would make history grow
// with the square of the DAG's size, so a task gets its upstreams' results, the ones its config
// references, and those of tasks its templates name in quotes (xcom_pull(task_ids='x')).

function quotedTaskIds(dag: CompiledDag, value: unknown, found: Set<string>): void {
  if (typeof value === "string") {
    if (!value.includes("xcom_pull")) return;
    for (const match of value.matchAll(/['"]([\w.-]+)['"]/g)) if (dag.tasks[match[1]]) found.add(match[1]);
  } else if (Array.isArray(value)) {
    for (const item of value) quotedTaskIds(dag, item, found);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) quotedTaskIds(dag, item, found);
  }
}

export function selectXComs(
  dag: CompiledDag,
  taskId: string,
  config: unknown,
  valueOf: (taskId: string) => JsonValue,
): Record<string, JsonValue> {
  const ids = new Set<string>(dag.tasks[taskId].upstream);
  for (const ref of findXComRefs(config)) ids.add(ref.$xcom.taskId);
  quotedTaskIds(dag, config, ids);
  const out: Record<string, JsonValue> = {};
  for (const id of [...ids].sort()) out[id] = valueOf(id);
  return out;
}

/**
 * A list stored in blob storage is expanded by index: each mapped instance gets a reference to
 * its item, which the activity resolves, so the orchestration never holds the list itself.
 */
export function xcomListPlaceholders(value: JsonValue): JsonValue {
  if (!isPlainObject(value) || !isPlainObject(value.$xcomBlob)) return value;
  const length = value.$xcomBlob.length;
  if (typeof length !== "number") return value;
  return Array.from({ length }, (_, index) => ({ $xcomItem: { ref: value, index } }));
}
