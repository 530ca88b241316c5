// The grid's rows: the task-group tree flattened in order, collapsed groups hiding their
// children, each row's instances indexed by run id.
import type { GridInstance, GridNode } from "../api/types";

export interface GridRow {
  id: string;
  label: string;
  depth: number;
  isGroup: boolean;
  isMapped: boolean;
  operator?: string;
  triggerRule?: string;
  byRun: Map<string, GridInstance>;
}

export function flattenGrid(root: GridNode, collapsed: ReadonlySet<string>): GridRow[] {
  const rows: GridRow[] = [];
  const walk = (node: GridNode, depth: number) => {
    for (const child of node.children ?? []) {
      const id = String(child.id);
      const isGroup = Array.isArray(child.children);
      rows.push({
        id, label: child.label ?? id, depth, isGroup, isMapped: !!child.is_mapped, operator: child.operator, triggerRule: child.trigger_rule,
        byRun: new Map(child.instances.map((i) => [i.run_id, i])),
      });
      if (isGroup && !collapsed.has(id)) walk(child, depth + 1);
    }
  };
  walk(root, 0);
  return rows;
}

/** How many instances a mapped task has in a run (0 when it has not expanded). */
export function mappedCount(instance: GridInstance | undefined): number {
  return Object.values(instance?.mapped_states ?? {}).reduce((a, b) => a + b, 0);
}
