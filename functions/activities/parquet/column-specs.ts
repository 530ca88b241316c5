// The columns a DAG declares for a Parquet file, checked when the task's config is read. Apart
// from the Arrow builders, so checking a config loads no Arrow.

export const COLUMN_TYPES = ["int32", "int64", "float64", "string", "timestamp"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnSpec {
  name: string;
  type: ColumnType;
}

export function checkColumns(columns: unknown, where: string): ColumnSpec[] {
  if (!Array.isArray(columns) || !columns.length) throw new Error(`${where}: 'columns' must be a non-empty list of {name, type}.`);
  const seen = new Set<string>();
  return columns.map((c, i) => {
    const { name, type } = (c ?? {}) as Record<string, unknown>;
    if (typeof name !== "string" || !name || seen.has(name)) throw new Error(`${where}: columns[${i}] needs a unique name.`);
    if (!COLUMN_TYPES.includes(type as ColumnType)) throw new Error(`${where}: column '${name}' has type '${String(type)}'; use one of ${COLUMN_TYPES.join(", ")}.`);
    seen.add(name);
    return { name, type: type as ColumnType };
  });
}
