// GET /api/object/graph_data?dag_id=: the DAG's structure as Airflow 2.10's graph view reads it
// (airflow/www/views.py graph_data): {arrange, nodes, edges}, nodes being the task-group tree
// (airflow.utils.task_group.task_group_to_dict) and edges every upstream -> downstream pair. Trigger
// rules, operators and mapping come from /api/v1/dags/{dag_id}/tasks, as in Airflow.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { getDag } from "../../../dag-registry";
import { objectRoute } from "../api-route";
import { badRequest, dagNotFound } from "../problem";
import { taskGroupTree, type GroupNode, type TaskLeaf } from "./task-group-tree";

// Airflow's default ui_color / ui_fgcolor for tasks and task groups.
const TASK_STYLE = { labelStyle: "fill:#000;", style: "fill:#fff;", rx: 5, ry: 5 };
const GROUP_STYLE = { labelStyle: "fill:#000;", style: "fill:CornflowerBlue", rx: 5, ry: 5, clusterLabelPos: "top" };

interface GraphNode {
  id: string | null;
  value: Record<string, unknown>;
  children?: GraphNode[];
}

function toNode(node: GroupNode | TaskLeaf): GraphNode {
  if (node.kind === "task") {
    return {
      id: node.task.taskId,
      value: { label: node.label, ...TASK_STYLE, ...(node.task.mapping !== null ? { isMapped: true } : {}), ...(node.task.isSetup ? { setupTeardownType: "setup" } : {}) },
    };
  }
  // Airflow lists a group's children by label.
  const children = node.children.map(toNode).sort((a, b) => String(a.value.label).localeCompare(String(b.value.label)));
  return { id: node.groupId, value: { label: node.label, ...GROUP_STYLE, tooltip: "", isMapped: false }, children };
}

export async function getGraphData(request: HttpRequest): Promise<HttpResponseInit> {
  const dagId = request.query.get("dag_id") ?? "";
  if (!dagId) throw badRequest("Missing query parameter 'dag_id'");
  const dag = getDag(dagId);
  if (!dag) throw dagNotFound(dagId);
  const edges = dag.taskOrder.flatMap((id) => dag.tasks[id].downstream.map((to) => ({ source_id: id, target_id: to })))
    .sort((a, b) => a.source_id.localeCompare(b.source_id) || a.target_id.localeCompare(b.target_id));
  return { status: 200, jsonBody: { arrange: "LR", nodes: toNode(taskGroupTree(dag)), edges } };
}

objectRoute("object_graph_data", "graph_data", getGraphData);
