// The graph laid out left to right by ELK's layered algorithm (elkjs, the layout Airflow 2.10's
// graph uses), task groups as nested boxes, then turned into React Flow nodes and edges.
import ELK, { type ElkNode } from "elkjs/lib/elk.bundled.js";
import type { Edge, Node } from "@xyflow/react";
import type { GraphData, GraphNode, Task } from "../api/types";

export interface TaskNodeData extends Record<string, unknown> {
  taskId: string;
  label: string;
  operator: string;
  triggerRule: string;
  isBranch: boolean;
  isMapped: boolean;
}

export interface GroupNodeData extends Record<string, unknown> {
  label: string;
}

const elk = new ELK();
const NODE_HEIGHT = 58;

/** Wide enough for the label, the operator and the state line with its badges. */
function nodeWidth(label: string, operator: string, badges: string): number {
  const chars = Math.max(label.length * 1.1, operator.length, 11 + badges.length);
  return Math.min(360, Math.max(150, 6.6 * chars + 40));
}

export function isBranchTask(task: Task | undefined): boolean {
  return !!task && /Branch/.test(task.class_ref.class_name);
}

export async function layoutGraph(graph: GraphData, tasks: Map<string, Task>): Promise<{ nodes: Node[]; edges: Edge[] }> {
  const toElk = (node: GraphNode): ElkNode => {
    if (node.children) {
      return {
        id: String(node.id),
        layoutOptions: { "elk.padding": "[top=32,left=14,bottom=14,right=14]" },
        children: node.children.map(toElk),
      };
    }
    const task = tasks.get(String(node.id));
    const badges = `${isBranchTask(task) ? "branch " : ""}${task && task.trigger_rule !== "all_success" ? task.trigger_rule : ""}`;
    return { id: String(node.id), width: nodeWidth(node.value.label ?? "", task?.class_ref.class_name ?? "", badges), height: NODE_HEIGHT };
  };
  const root: ElkNode = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "RIGHT",
      "elk.hierarchyHandling": "INCLUDE_CHILDREN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "56",
      "elk.spacing.nodeNode": "18",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children: (graph.nodes.children ?? []).map(toElk),
    edges: graph.edges.map((e, i) => ({ id: `e${i}`, sources: [e.source_id], targets: [e.target_id] })),
  };
  const laid = await elk.layout(root);
  const nodes: Node[] = [];
  const labels = new Map<string, string>();
  const collectLabels = (n: GraphNode) => {
    labels.set(String(n.id), n.value.label ?? String(n.id));
    n.children?.forEach(collectLabels);
  };
  collectLabels(graph.nodes);
  const walk = (n: ElkNode, parent: string | undefined) => {
    const position = { x: n.x ?? 0, y: n.y ?? 0 };
    if (n.children) {
      nodes.push({
        id: n.id, type: "taskGroup", position, ...(parent ? { parentId: parent, extent: "parent" as const } : {}),
        data: { label: labels.get(n.id) ?? n.id } satisfies GroupNodeData,
        style: { width: n.width, height: n.height }, selectable: false, draggable: false,
      });
      n.children.forEach((c) => walk(c, n.id));
      return;
    }
    const task = tasks.get(n.id);
    nodes.push({
      id: n.id, type: "task", position, ...(parent ? { parentId: parent, extent: "parent" as const } : {}),
      data: {
        taskId: n.id, label: labels.get(n.id) ?? n.id, operator: task?.class_ref.class_name ?? "",
        triggerRule: task?.trigger_rule ?? "all_success", isBranch: isBranchTask(task), isMapped: !!task?.is_mapped,
      } satisfies TaskNodeData,
      style: { width: n.width, height: n.height }, draggable: false,
    });
  };
  (laid.children ?? []).forEach((c) => walk(c, undefined));
  const edges: Edge[] = graph.edges.map((e) => {
    const fromBranch = isBranchTask(tasks.get(e.source_id));
    return {
      id: `${e.source_id}->${e.target_id}`, source: e.source_id, target: e.target_id,
      className: fromBranch ? "edge-branch" : undefined,
      style: fromBranch ? { strokeDasharray: "6 4" } : undefined,
      label: fromBranch ? "branch" : undefined,
    };
  });
  return { nodes, edges };
}
