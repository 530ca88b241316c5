import type { CompiledDag } from "../model/compiled-dag";
import { isPlainObject, JsonValue } from "../model/json";
import { findXComRefs } from "../model/xcom-ref";

// Which XComs an activity receives. Every input is recorded in history, so a task gets only what
// it can read: the results its config references (task.output) and those of tasks its templates
// name in quotes (xcom_pull(task_ids='x')). A mapped task's expand() source is not among them:
// each instance gets its own item, never the whole list again.

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
  config: unknown,
  valueOf: (taskId: string) => JsonValue,
): Record<string, JsonValue> {
  const ids = new Set<string>();
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
