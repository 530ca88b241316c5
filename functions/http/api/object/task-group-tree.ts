// A DAG's task groups as the tree Airflow's web server walks (dag.task_group): the root group
// (id null) holds top-level tasks and groups, each group its own. Compiled DAGs keep a task's
// innermost group and each group's members; nesting is read back from them.
import type { CompiledDag, CompiledTask } from "../../../../orchestrations/runtime/model/compiled-dag";

export interface TaskLeaf {
  kind: "task";
  task: CompiledTask;
  label: string;
}

export interface GroupNode {
  kind: "group";
  /** null for the root. */
  groupId: string | null;
  label: string | null;
  children: (GroupNode | TaskLeaf)[];
}

/** What is left of an id once its group's prefix ("group.") is taken off, as Airflow's label. */
function labelIn(id: string, groupId: string | null): string {
  return groupId !== null && id.startsWith(`${groupId}.`) ? id.slice(groupId.length + 1) : id;
}

/** The group directly holding `groupId`: the longest dotted prefix, else the smallest superset. */
function parentOf(dag: CompiledDag, groupId: string): string | null {
  const groups = Object.values(dag.groups);
  const byPrefix = groups.filter((g) => groupId.startsWith(`${g.groupId}.`)).sort((a, b) => b.groupId.length - a.groupId.length)[0];
  if (byPrefix) return byPrefix.groupId;
  const own = new Set(dag.groups[groupId].taskIds);
  const supersets = groups.filter((g) => g.groupId !== groupId && own.size > 0 && g.taskIds.length > own.size && [...own].every((id) => g.taskIds.includes(id)));
  return supersets.sort((a, b) => a.taskIds.length - b.taskIds.length)[0]?.groupId ?? null;
}

/**
 * The tree, children in topological order (Airflow's default grid_view_sorting_order): a group
 * sits where its earliest task does.
 */
export function taskGroupTree(dag: CompiledDag): GroupNode {
  const position = new Map(dag.taskOrder.map((id, i) => [id, i]));
  const nodes = new Map<string | null, GroupNode>([[null, { kind: "group", groupId: null, label: null, children: [] }]]);
  const parents = new Map<string, string | null>();
  for (const groupId of Object.keys(dag.groups)) parents.set(groupId, parentOf(dag, groupId));
  const nodeOf = (groupId: string | null): GroupNode => {
    let node = nodes.get(groupId);
    if (!node) {
      const parent = nodeOf(parents.get(groupId!) ?? null);
      node = { kind: "group", groupId, label: labelIn(groupId!, parent.groupId), children: [] };
      nodes.set(groupId, node);
      parent.children.push(node);
    }
    return node;
  };
  for (const groupId of Object.keys(dag.groups)) nodeOf(groupId);
  for (const taskId of dag.taskOrder) {
    const task = dag.tasks[taskId];
    const group = task.groupId !== null && dag.groups[task.groupId] ? task.groupId : null;
    nodeOf(group).children.push({ kind: "task", task, label: labelIn(taskId, group) });
  }
  const first = (node: GroupNode | TaskLeaf): number => node.kind === "task"
    ? position.get(node.task.taskId) ?? Infinity
    : Math.min(Infinity, ...node.children.map(first));
  const sort = (node: GroupNode): void => {
    node.children.sort((a, b) => first(a) - first(b));
    for (const child of node.children) if (child.kind === "group") sort(child);
  };
  const root = nodes.get(null)!;
  sort(root);
  return root;
}
