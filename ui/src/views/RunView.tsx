import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams } from "react-router";
import { API_ROOT, sendJson } from "../api/client";
import { POLL_MS, useDagRun } from "../api/queries";
import type { TaskInstance, TaskInstanceCollection } from "../api/types";
import { ClearDialog } from "../components/ClearDialog";
import { ErrorPanel } from "../components/ErrorPanel";
import { StateBadge } from "../components/StateBadge";
import { formatDate, formatDuration, secondsBetween } from "../format";

/** Every task instance of a run (the batch list, a page at a time). */
async function runInstances(dagId: string, runId: string): Promise<TaskInstance[]> {
  const out: TaskInstance[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await sendJson<TaskInstanceCollection>("POST", `${API_ROOT}/dags/~/dagRuns/~/taskInstances/list`,
      { dag_ids: [dagId], dag_run_ids: [runId], page_limit: 100, page_offset: offset });
    out.push(...page.task_instances);
    if (out.length >= page.total_entries || !page.task_instances.length) return out;
  }
}

/** A run's page: its state, conf, data interval, timings and note, and its task instances. */
export function RunView() {
  const { dagId = "", runId = "" } = useParams();
  const run = useDagRun(dagId, runId);
  const active = run.data?.state === "running" || run.data?.state === "queued";
  const tis = useQuery({
    // Read again whenever the run itself changes (its state, its end), and while it is going.
    queryKey: ["runInstances", dagId, runId, run.data?.state, run.data?.end_date],
    queryFn: () => runInstances(dagId, runId),
    enabled: !!run.data,
    placeholderData: keepPreviousData,
    refetchInterval: active ? POLL_MS : false,
  });
  const [clearing, setClearing] = useState(false);
  if (run.error) return <ErrorPanel error={run.error} back={{ to: `/dags/${encodeURIComponent(dagId)}/grid`, label: `Back to ${dagId}` }} />;
  if (!run.data) return <p className="muted">Loading the run…</p>;
  const r = run.data;
  const failed = (tis.data ?? []).filter((t) => t.state === "failed" || t.state === "upstream_failed").length;
  const base = `/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}`;
  return (
    <section className="run-page" data-testid="run">
      <header className="section-header">
        <h2>Run <code>{r.dag_run_id}</code></h2>
        <StateBadge state={r.state} />
        {active ? <span className="live">● live</span> : null}
        <span className="spacer" />
        <Link to={`/dags/${encodeURIComponent(dagId)}/graph?run_id=${encodeURIComponent(runId)}`}>Graph</Link>
        <button type="button" className="danger" disabled={!failed} title={failed ? "" : "No failed task"} onClick={() => setClearing(true)}>
          Clear failed tasks{failed ? ` (${failed})` : ""}
        </button>
      </header>
      <div className="two-columns">
        <table className="details">
          <tbody>
            <tr><th>Run type</th><td>{r.run_type}{r.external_trigger ? " (triggered)" : ""}</td></tr>
            <tr><th>Logical date</th><td>{formatDate(r.logical_date)}</td></tr>
            <tr><th>Data interval start</th><td>{formatDate(r.data_interval_start)}</td></tr>
            <tr><th>Data interval end</th><td>{formatDate(r.data_interval_end)}</td></tr>
            <tr><th>Started</th><td>{formatDate(r.start_date)}</td></tr>
            <tr><th>Ended</th><td>{formatDate(r.end_date)}</td></tr>
            <tr><th>Duration</th><td data-testid="run-duration">{formatDuration(secondsBetween(r.start_date, r.end_date))}</td></tr>
            <tr><th>Note</th><td>{r.note ?? <span className="muted">none</span>}</td></tr>
          </tbody>
        </table>
        <div>
          <h3>Configuration (dag_run.conf)</h3>
          <pre className="code" data-testid="run-conf">{JSON.stringify(r.conf, null, 2)}</pre>
        </div>
      </div>
      <h3>Task instances</h3>
      {tis.error ? <ErrorPanel error={tis.error} /> : null}
      <table className="table">
        <thead><tr><th>Task</th><th>Map index</th><th>State</th><th>Try</th><th>Operator</th><th>Started</th><th>Duration</th></tr></thead>
        <tbody>
          {(tis.data ?? []).map((t) => (
            <tr key={`${t.task_id}#${t.map_index}`} data-task={t.task_id}>
              <td><Link to={`${base}/tasks/${encodeURIComponent(t.task_id)}${t.map_index >= 0 ? `?map_index=${t.map_index}` : ""}`}>{t.task_id}</Link></td>
              <td>{t.map_index >= 0 ? t.map_index : ""}</td>
              <td><StateBadge state={t.state} /></td>
              <td>{t.try_number}</td>
              <td>{t.operator}</td>
              <td className="nowrap">{formatDate(t.start_date)}</td>
              <td>{formatDuration(t.duration)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {clearing ? <ClearDialog target={{ dagId, runId }} onClose={() => setClearing(false)} /> : null}
    </section>
  );
}
