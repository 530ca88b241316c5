import type { MappingSpec } from "../model/compiled-dag";
import { isPlainObject } from "../model/json";
import { isXComRef, XComRef } from "../model/xcom-ref";

// Dynamic task mapping (Airflow's partial/expand/expand_kwargs). Expansion happens when the mapped
// task becomes runnable, because its lists usually come from an upstream's XCom.
export const MAX_MAP_LENGTH = 1024;

export type Expansion =
  | { ok: true; instances: Record<string, unknown>[] }
  | { ok: false; error: string };

function typeName(value: unknown): string {
  return value === null ? "None" : Array.isArray(value) ? "list" : typeof value;
}

/** A mapped argument's values: a list as is, a dict as [key, value] pairs (Python's dict.items()). */
function mappedValues(name: string, value: unknown): unknown[] | string {
  if (Array.isArray(value)) return value;
  if (isPlainObject(value)) return Object.entries(value);
  return `expand() argument '${name}' must be a list or dict, got ${typeName(value)}`;
}

/**
 * The argument sets of a mapped task's instances, in map_index order. An empty result means the
 * mapped task is SKIPPED; an error fails it. `resolve` reads an upstream's XCom (for a mapped
 * upstream: its results by map_index with None omitted, see collectMappedResults).
 */
export function expandMapping(spec: MappingSpec, resolve: (ref: XComRef) => unknown): Expansion {
  const read = (value: unknown): unknown => (isXComRef(value) ? resolve(value) : value);
  if (spec.kind === "expand_kwargs") {
    const source = read(spec.source);
    if (!Array.isArray(source)) return { ok: false, error: `expand_kwargs() expects a list of dicts, got ${typeName(source)}` };
    if (source.length > MAX_MAP_LENGTH) {
      return { ok: false, error: `expand_kwargs() got ${source.length} items, more than max_map_length ${MAX_MAP_LENGTH}` };
    }
    const instances: Record<string, unknown>[] = [];
    for (let i = 0; i < source.length; i++) {
      const item: unknown = source[i];
      if (!isPlainObject(item)) return { ok: false, error: `expand_kwargs() item ${i} must be a dict, got ${typeName(item)}` };
      instances.push({ ...item });
    }
    return { ok: true, instances };
  }
  const names = Object.keys(spec.args);
  const columns: unknown[][] = [];
  for (const name of names) {
    const values = mappedValues(name, read(spec.args[name]));
    if (typeof values === "string") return { ok: false, error: values };
    if (values.length > MAX_MAP_LENGTH) {
      return { ok: false, error: `expand() argument '${name}' has ${values.length} items, more than max_map_length ${MAX_MAP_LENGTH}` };
    }
    columns.push(values);
  }
  // Cross product with the last argument varying fastest (itertools.product order).
  let instances: Record<string, unknown>[] = [{}];
  names.forEach((name, column) => {
    const grown: Record<string, unknown>[] = [];
    for (const partial of instances) for (const value of columns[column]) grown.push({ ...partial, [name]: value });
    instances = grown;
  });
  return { ok: true, instances };
}

/** One instance's operator config: the partial (constant) config plus its mapped arguments. */
export function instanceConfig(partialConfig: unknown, args: Record<string, unknown>): Record<string, unknown> {
  return { ...(isPlainObject(partialConfig) ? partialConfig : {}), ...args };
}

/** What a downstream sees of a mapped task: results ordered by map_index, None results omitted. */
export function collectMappedResults(resultsByMapIndex: readonly unknown[]): unknown[] {
  return resultsByMapIndex.filter((value) => value !== null && value !== undefined);
}
