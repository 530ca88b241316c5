import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { API_ROOT, sendJson } from "../api/client";
import { useTaskInstance, useTaskLog, useTasks, useXCom } from "../api/queries";
import type { TaskInstance, TaskInstanceCollection } from "../api/types";
import { ClearDialog } from "../components/ClearDialog";
import { ErrorPanel, InlineError } from "../components/ErrorPanel";
import { StateBadge } from "../components/StateBadge";
import { formatDate, formatDuration, stateColor } from "../format";
import { logTimes } from "./log-lines";

const LIVE = new Set(["running", "queued", "scheduled", "up_for_retry", "up_for_reschedule", "deferred"]);

function show(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value, null, 2);
}

function TryLog({ ti, tryNumber }: { ti: TaskInstance; tryNumber: number }) {
  const live = tryNumber === ti.try_number && (ti.state === null || LIVE.has(ti.state));
  const log = useTaskLog(ti.dag_id, ti.dag_run_id, ti.task_id, ti.map_index, tryNumber, live);
  const times = log.data ? logTimes(log.data) : null;
  return (
    <div className="log-panel" data-testid="log">
      <div className="log-meta">
        <b>Try {tryNumber}</b>
        {times ? <span>{formatDate(times.start)} → {formatDate(times.end)} · {formatDuration(times.seconds)} (from its log)</span> : null}
        {live ? <span className="live">● live</span> : null}
      </div>
      <InlineError error={log.error} />
      {log.data !== undefined ? <pre className="log" data-testid="log-text">{log.data || "(empty log)"}</pre> : log.isPending && !log.error ? <p className="muted">Loading the log…</p> : null}
    </div>
  );
}

/** The instances of a mapped task in this run, to move between map indexes. */
function MapIndexes({ dagId, runId, taskId, current }: { dagId: string; runId: string; taskId: string; current: number }) {
  const list = useQuery({
    queryKey: ["mapped", dagId, runId, taskId],
    queryFn: () => sendJson<TaskInstanceCollection>("POST", `${API_ROOT}/dags/~/dagRuns/~/taskInstances/list`, { dag_ids: [dagId], dag_run_ids: [runId], task_ids: [taskId], page_limit: 100 }),
  });
  const items = (list.data?.task_instances ?? []).filter((t) => t.map_index >= 0);
  if (!items.length) return null;
  return (
    <div className="map-indexes">
      <span className="muted">Mapped instances ({list.data!.total_entries}):</span>
      {items.map((t) => (
        <Link key={t.map_index} to={`?map_index=${t.map_index}`} className={`map-index ${t.map_index === current ? "current" : ""}`} title={t.state ?? "no status"}
          style={{ borderColor: stateColor(t.state) }}>{t.map_index}</Link>
      ))}
    </div>
  );
}

/** A task instance: its tries and their logs, timings, operator, rendered templates and XCom. */
export function TaskInstanceView() {
  const { dagId = "", runId = "", taskId = "" } = useParams();
  const [params, setParams] = useSearchParams();
  const mapIndex = params.has("map_index") ? Number(params.get("map_index")) : -1;
  const ti = useTaskInstance(dagId, runId, taskId, Number.isInteger(mapIndex) ? mapIndex : -1);
  const tasks = useTasks(dagId);
  const xcom = useXCom(dagId, runId, taskId, mapIndex, ti.data?.state === "success");
  const [clearing, setClearing] = useState(false);
  const back = { to: `/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(runId)}`, label: `Back to run ${runId}` };
  if (ti.error) return <ErrorPanel error={ti.error} back={back} />;
  if (!ti.data) return <p className="muted">Loading the task instance…</p>;
  const t = ti.data;
  const task = tasks.data?.tasks.find((x) => x.task_id === taskId);
  const asked = params.get("try");
  const tryNumber = asked !== null ? Number(asked) : t.try_number;
  const tries = Array.from({ length: t.try_number }, (_, i) => i + 1);
  return (
    <section className="ti-page" data-testid="task-instance">
      <header className="section-header">
        <h2>Task <code>{t.task_id}</code>{t.map_index >= 0 ? <> [{t.map_index}]</> : null}</h2>
        <StateBadge state={t.state} />
        <span className="spacer" />
        <Link to={back.to}>Run {runId}</Link>
        <button type="button" className="danger" onClick={() => setClearing(true)}>Clear…</button>
      </header>
      {task?.is_mapped ? <MapIndexes dagId={dagId} runId={runId} taskId={taskId} current={mapIndex} /> : null}
      <div className="two-columns">
        <table className="details">
          <tbody>
            <tr><th>Operator</th><td>{t.operator}{t.azflow_operator ? <span className="muted"> (azflow {t.azflow_operator})</span> : null}</td></tr>
            <tr><th>Trigger rule</th><td>{task?.trigger_rule ?? "–"}</td></tr>
            <tr><th>Try</th><td>{t.try_number} of {t.max_tries + 1}</td></tr>
            <tr><th>Started</th><td>{formatDate(t.start_date)}</td></tr>
            <tr><th>Ended</th><td>{formatDate(t.end_date)}</td></tr>
            <tr><th>Duration</th><td>{formatDuration(t.duration)}</td></tr>
            <tr><th>Host</th><td>{t.hostname || "–"}</td></tr>
            {t.note ? <tr><th>Note</th><td>{t.note}</td></tr> : null}
          </tbody>
        </table>
        <div>
          <h3>Rendered template</h3>
          {Object.keys(t.rendered_fields).length ? (
            <table className="details rendered" data-testid="rendered">
              <tbody>{Object.entries(t.rendered_fields).map(([k, v]) => <tr key={k}><th>{k}</th><td><pre className="code">{show(v)}</pre></td></tr>)}</tbody>
            </table>
          ) : <p className="muted">Nothing rendered{t.try_number ? "" : " yet: the task has not run"}.</p>}
          <h3>XCom</h3>
          {xcom.error ? <InlineError error={xcom.error} /> : null}
          {xcom.data?.length ? (
            <table className="details" data-testid="xcom">
              <tbody>{xcom.data.map((e) => <tr key={e.key}><th>{e.key}</th><td><pre className="code">{show(e.value)}</pre></td></tr>)}</tbody>
            </table>
          ) : <p className="muted">{t.state === "success" ? (xcom.isPending ? "Loading…" : "No XCom.") : "XCom is shown once the task has succeeded."}</p>}
        </div>
      </div>
      <h3>Logs</h3>
      <nav className="tabs tries" aria-label="Tries">
        {tries.map((n) => (
          <button type="button" key={n} className={n === tryNumber ? "active" : ""} onClick={() => setParams((p) => { p.set("try", String(n)); return p; })}>Try {n}</button>
        ))}
      </nav>
      {t.try_number === 0 && asked === null ? <p className="muted">The task has not run yet: it has no log.</p> : <TryLog ti={t} tryNumber={tryNumber} key={tryNumber} />}
      {clearing ? <ClearDialog target={{ dagId, runId, taskId }} onClose={() => setClearing(false)} /> : null}
    </section>
  );
}
