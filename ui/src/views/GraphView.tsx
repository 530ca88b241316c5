import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Node, type NodeProps, type Edge } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { createContext, memo, useContext, useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { gridIsActive, useGraphData, useGridData, useTasks } from "../api/queries";
import type { GridInstance, GridNode } from "../api/types";
import { ErrorPanel } from "../components/ErrorPanel";
import { formatDate, stateColor } from "../format";
import { mappedCount } from "./grid-model";
import { layoutGraph, type GroupNodeData, type TaskNodeData } from "./graph-layout";

/** The selected run's instances by task id, read by every node. */
const RunStates = createContext<Map<string, GridInstance>>(new Map());

const TaskNode = memo(function TaskNode({ data }: NodeProps<Node<TaskNodeData>>) {
  const ti = useContext(RunStates).get(data.taskId);
  const state = ti?.state ?? null;
  const count = data.isMapped ? mappedCount(ti) : 0;
  return (
    <div className={`graph-task ${data.isBranch ? "branch" : ""}`} data-task={data.taskId} data-state={state ?? "none"}
      style={{ borderColor: state ? stateColor(state) : "#bbb", boxShadow: state ? `inset 6px 0 0 ${stateColor(state)}` : undefined }}
      title={`${data.taskId}\n${data.operator}\ntrigger rule: ${data.triggerRule}\nstate: ${state ?? "no status"}`}>
      <Handle type="target" position={Position.Left} />
      <div className="graph-task-label">{data.label}{data.isMapped ? <span className="mapped-count"> [{count}]</span> : null}</div>
      <div className="graph-task-meta"><span className="operator">{data.operator}</span></div>
      <div className="graph-task-meta">
        <span className="graph-task-state">{state ?? "no status"}</span>
        {data.isBranch ? <span className="badge branch-badge">branch</span> : null}
        {data.triggerRule !== "all_success" ? <span className="badge rule-badge" title="trigger rule">{data.triggerRule}</span> : null}
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const GroupNodeView = memo(function GroupNodeView({ id, data }: NodeProps<Node<GroupNodeData>>) {
  const ti = useContext(RunStates).get(id);
  return (
    <div className="graph-group" data-group={id} style={{ borderColor: ti?.state ? stateColor(ti.state) : undefined }}>
      <Handle type="target" position={Position.Left} />
      <div className="graph-group-label">{data.label}{ti?.state ? <span className="muted"> · {ti.state}</span> : null}</div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const NODE_TYPES = { task: TaskNode, taskGroup: GroupNodeView };

function statesOf(root: GridNode | undefined, runId: string | undefined): Map<string, GridInstance> {
  const out = new Map<string, GridInstance>();
  const walk = (n: GridNode) => {
    for (const c of n.children ?? []) {
      const ti = c.instances.find((i) => i.run_id === runId);
      if (ti) out.set(String(c.id), ti);
      walk(c);
    }
  };
  if (root && runId) walk(root);
  return out;
}

/** Airflow's graph: the DAG left to right, coloured by the selected run's task states. */
export function GraphView() {
  const { dagId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const graph = useGraphData(dagId);
  const tasks = useTasks(dagId);
  const grid = useGridData(dagId, 25);
  const [laid, setLaid] = useState<{ nodes: Node[]; edges: Edge[] } | null>(null);
  const [layoutError, setLayoutError] = useState<unknown>(null);
  const runs = grid.data?.dag_runs ?? [];
  const runId = params.get("run_id") ?? runs[runs.length - 1]?.run_id;
  const states = useMemo(() => statesOf(grid.data?.groups, runId), [grid.data, runId]);
  useEffect(() => {
    if (!graph.data || !tasks.data) return;
    let live = true;
    layoutGraph(graph.data, new Map(tasks.data.tasks.map((t) => [t.task_id, t]))).then((r) => live && setLaid(r), (e: unknown) => live && setLayoutError(e));
    return () => {
      live = false;
    };
  }, [graph.data, tasks.data]);
  const error = graph.error ?? tasks.error ?? layoutError;
  if (error) return <ErrorPanel error={error} />;
  const selected = runs.find((r) => r.run_id === runId);
  return (
    <div className="graph-view" data-testid="graph">
      <div className="toolbar">
        <label>Run <select aria-label="Run shown" value={runId ?? ""} onChange={(e) => setParams({ run_id: e.target.value })}>
          {[...runs].reverse().map((r) => <option key={r.run_id} value={r.run_id}>{formatDate(r.execution_date)} · {r.run_id} · {r.state}</option>)}
          {!runs.length ? <option value="">no runs yet</option> : null}
        </select></label>
        {selected ? <span className="state-badge"><span className="state-swatch" style={{ background: stateColor(selected.state) }} />run {selected.state}</span> : null}
        {gridIsActive(grid.data) ? <span className="live">● live</span> : null}
        <span className="legend"><span className="badge branch-badge">branch</span> dashed edges: only the branch's choice runs · <span className="badge rule-badge">rule</span> a trigger rule other than all_success</span>
      </div>
      <div className="graph-canvas">
        {laid ? (
          <RunStates.Provider value={states}>
            <ReactFlow nodes={laid.nodes} edges={laid.edges} nodeTypes={NODE_TYPES} fitView minZoom={0.05} nodesConnectable={false} nodesDraggable={false}
              onNodeClick={(_, node) => {
                if (node.type !== "task" || !runId) return;
                const mapped = (node.data as TaskNodeData).isMapped;
                navigate(`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}/tasks/${encodeURIComponent(node.id)}${mapped ? "?map_index=0" : ""}`);
              }}>
              <Background gap={16} />
              <Controls showInteractive={false} />
              <MiniMap pannable zoomable nodeColor={(n) => (n.type === "task" ? stateColor(states.get(n.id)?.state) : "#e8eefc")} />
            </ReactFlow>
          </RunStates.Provider>
        ) : <p className="muted">Laying out the graph…</p>}
      </div>
    </div>
  );
}
