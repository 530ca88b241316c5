import { isPlainObject } from "./json";

// A reference to an upstream task's XCom, placed in a task's config or mapping. It is plain data
// so it survives the compiled DAG's JSON round trip; the orchestrator resolves it at run time.
export const DEFAULT_XCOM_KEY = "return_value";

// A type alias (not an interface) so it is assignable to JsonValue.
export type XComRef = {
  readonly $xcom: { readonly taskId: string; readonly key: string };
};

export function xcomRef(taskId: string, key: string = DEFAULT_XCOM_KEY): XComRef {
  return { $xcom: { taskId, key } };
}

export function isXComRef(value: unknown): value is XComRef {
  if (!isPlainObject(value) || Object.keys(value).length !== 1) return false;
  const inner = value.$xcom;
  return isPlainObject(inner) && typeof inner.taskId === "string" && typeof inner.key === "string";
}

/** Every XCom reference inside a value (config objects, mapping arguments), in document order. */
export function findXComRefs(value: unknown, found: XComRef[] = []): XComRef[] {
  if (isXComRef(value)) {
    found.push(value);
  } else if (Array.isArray(value)) {
    for (const item of value) findXComRefs(item, found);
  } else if (isPlainObject(value)) {
    for (const item of Object.values(value)) findXComRefs(item, found);
  }
  return found;
}

/** Replaces every XCom reference inside a value with what `resolve` returns for it. */
export function resolveXComRefs(value: unknown, resolve: (ref: XComRef) => unknown): unknown {
  if (isXComRef(value)) return resolve(value);
  if (Array.isArray(value)) return value.map((item) => resolveXComRefs(item, resolve));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveXComRefs(item, resolve);
    return out;
  }
  return value;
}
