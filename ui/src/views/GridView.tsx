import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useMemo, useRef, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { gridIsActive, useGridData } from "../api/queries";
import type { GridInstance, GridRun } from "../api/types";
import { ErrorPanel } from "../components/ErrorPanel";
import { formatDate, formatDuration, secondsBetween, stateColor } from "../format";
import { flattenGrid, mappedCount, type GridRow } from "./grid-model";

const ROW_HEIGHT = 22;
/** The run bars above the rows, in the same scroller (the virtualizer counts from below them). */
const HEAD_HEIGHT = 72;
const CELL = 18;
const RUN_OPTIONS = [25, 50, 100, 365];

function instanceTitle(row: GridRow, run: GridRun, ti: GridInstance | undefined): string {
  const lines = [`${row.isGroup ? "Group" : "Task"}: ${row.id}`, `Run: ${run.run_id}`, `State: ${ti?.state ?? "no status"}`];
  if (ti?.mapped_states) lines.push(`Mapped instances: ${Object.entries(ti.mapped_states).map(([s, n]) => `${n} ${s}`).join(", ")}`);
  if (ti?.start_date) lines.push(`Started: ${formatDate(ti.start_date)}`, `Duration: ${formatDuration(secondsBetween(ti.start_date, ti.end_date))}`);
  if (ti?.try_number && ti.try_number > 1) lines.push(`Try: ${ti.try_number}`);
  if (ti?.note) lines.push(`Note: ${ti.note}`);
  return lines.join("\n");
}

const Row = memo(function Row({ row, runs, top, collapsed, onToggle, onOpen }: {
  row: GridRow; runs: GridRun[]; top: number; collapsed: boolean; onToggle: (id: string) => void; onOpen: (row: GridRow, run: GridRun) => void;
}) {
  const latest = row.isMapped ? mappedCount(row.byRun.get(runs[runs.length - 1]?.run_id ?? "")) : 0;
  return (
    <div className="grid-row" style={{ transform: `translateY(${top}px)` }} data-row={row.id}>
      <div className="grid-label" style={{ paddingLeft: 8 + row.depth * 14 }} title={`${row.id}${row.operator ? ` (${row.operator})` : ""}${row.triggerRule && row.triggerRule !== "all_success" ? `, trigger rule ${row.triggerRule}` : ""}`}>
        {row.isGroup ? (
          <button type="button" className="group-toggle" aria-expanded={!collapsed} aria-label={`${collapsed ? "Expand" : "Collapse"} group ${row.id}`} onClick={() => onToggle(row.id)}>
            {collapsed ? "▸" : "▾"} <span className="group-label">{row.label}</span>
          </button>
        ) : (
          <span className="task-label">{row.label}{row.isMapped ? <span className="mapped-count" title="mapped instances in the latest run"> [{latest}]</span> : null}</span>
        )}
      </div>
      <div className="grid-cells">
        {runs.map((run) => {
          const ti = row.byRun.get(run.run_id);
          const count = row.isMapped ? mappedCount(ti) : 0;
          return (
            <button type="button" key={run.run_id} className={`cell ${row.isGroup ? "group" : ""}`} data-run={run.run_id} data-state={ti?.state ?? "none"}
              style={{ background: stateColor(ti?.state) }} title={instanceTitle(row, run, ti)}
              aria-label={`${row.id} in ${run.run_id}: ${ti?.state ?? "no status"}`}
              onClick={() => onOpen(row, run)}>
              {count > 1 ? <span className="cell-count">{count > 99 ? "99+" : count}</span> : null}
            </button>
          );
        })}
      </div>
    </div>
  );
});

function RunBars({ runs, dagId, maxDuration }: { runs: GridRun[]; dagId: string; maxDuration: number }) {
  return (
    <div className="grid-runs">
      {runs.map((run) => {
        const d = secondsBetween(run.start_date, run.end_date) ?? 0;
        const h = Math.max(4, Math.round((d / maxDuration) * 56));
        return (
          <Link key={run.run_id} to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(run.run_id)}`} className="run-bar-slot" data-run={run.run_id} data-state={run.state}
            title={`Run: ${run.run_id}\nState: ${run.state}\nLogical date: ${formatDate(run.execution_date)}\nDuration: ${formatDuration(d)}${run.run_type === "manual" ? "\nTriggered manually" : ""}`}>
            <span className={`run-bar ${run.run_type === "manual" ? "manual" : ""}`} style={{ height: h, background: stateColor(run.state) }} />
          </Link>
        );
      })}
    </div>
  );
}

/** Airflow's grid: runs as columns (oldest left), tasks as rows, each cell the instance's state. */
export function GridView() {
  const { dagId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const numRuns = Number(params.get("num_runs")) || 25;
  const grid = useGridData(dagId, numRuns);
  const navigate = useNavigate();
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const scroller = useRef<HTMLDivElement>(null);
  const rows = useMemo(() => (grid.data ? flattenGrid(grid.data.groups, collapsed) : []), [grid.data, collapsed]);
  const runs = grid.data?.dag_runs ?? [];
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12, scrollMargin: HEAD_HEIGHT });
  const maxDuration = Math.max(1, ...runs.map((r) => secondsBetween(r.start_date, r.end_date) ?? 0));
  const toggle = useMemo(() => (id: string) => setCollapsed((prev) => {
    const next = new Set(prev);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    return next;
  }), []);
  const open = useMemo(() => (row: GridRow, run: GridRun) => {
    if (row.isGroup) return toggle(row.id);
    const base = `/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(run.run_id)}/tasks/${encodeURIComponent(row.id)}`;
    navigate(row.isMapped ? `${base}?map_index=0` : base);
  }, [dagId, navigate, toggle]);
  useEffect(() => {
    // Newest runs are on the right: start scrolled there.
    if (scroller.current) scroller.current.scrollLeft = scroller.current.scrollWidth;
  }, [runs.length]);
  if (grid.error) return <ErrorPanel error={grid.error} back={{ to: "/dags", label: "Back to the DAGs" }} />;
  if (!grid.data) return <p className="muted">Loading the grid…</p>;
  const width = 260 + runs.length * CELL + 16;
  return (
    <div className="grid-view" data-testid="grid" data-rendered-runs={runs.length} data-rendered-rows={rows.length}>
      <div className="toolbar">
        <label>Runs <select aria-label="Runs shown" value={numRuns} onChange={(e) => setParams({ num_runs: e.target.value })}>
          {RUN_OPTIONS.map((n) => <option key={n} value={n}>{n}</option>)}
        </select></label>
        <span className="muted">{runs.length} run{runs.length === 1 ? "" : "s"}, {rows.length} row{rows.length === 1 ? "" : "s"}</span>
        {gridIsActive(grid.data) ? <span className="live" title="A run is going: the grid refreshes itself">● live</span> : null}
        <span className="legend">{["success", "running", "failed", "upstream_failed", "skipped", "up_for_retry", "queued", "scheduled"].map((s) => (
          <span key={s}><span className="state-swatch" style={{ background: stateColor(s) }} />{s}</span>
        ))}</span>
      </div>
      <div className="grid-scroll" ref={scroller}>
        <div style={{ width }}>
          <div className="grid-head" style={{ height: HEAD_HEIGHT }}>
            <div className="grid-label head">Task</div>
            <RunBars runs={runs} dagId={dagId} maxDuration={maxDuration} />
          </div>
          {!runs.length ? <p className="muted grid-empty">No runs yet: trigger one, or wait for the schedule.</p> : null}
          <div className="grid-body" style={{ height: virtual.getTotalSize() }}>
            {virtual.getVirtualItems().map((item) => {
              const row = rows[item.index];
              return <Row key={row.id} row={row} runs={runs} top={item.start - HEAD_HEIGHT} collapsed={collapsed.has(row.id)} onToggle={toggle} onOpen={open} />;
            })}
          </div>
        </div>
      </div>
    </div>
  );
}
