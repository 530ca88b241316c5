import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useDagStats, useDags, useRecentRuns } from "../api/queries";
import type { Dag, ScheduleInterval } from "../api/types";
import { ErrorPanel } from "../components/ErrorPanel";
import { PauseToggle } from "../components/PauseToggle";
import { TriggerDialog } from "../components/TriggerDialog";
import { RUN_STATES, formatDate, stateColor } from "../format";

export function scheduleText(s: ScheduleInterval): string {
  if (s === null) return "None";
  if (s.__type === "CronExpression") return s.value;
  const h = Math.floor(s.seconds / 3600);
  const m = Math.floor((s.seconds % 3600) / 60);
  const sec = s.seconds % 60;
  return `${s.days ? `${s.days} day${s.days === 1 ? "" : "s"}, ` : ""}${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
}

function RecentRuns({ dagId }: { dagId: string }) {
  const runs = useRecentRuns(dagId, 10);
  const list = [...(runs.data?.dag_runs ?? [])].reverse();
  const last = runs.data?.dag_runs[0];
  return (
    <>
      <td className="nowrap" data-col="last-run">
        {last ? <Link to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(last.dag_run_id)}`}>{formatDate(last.logical_date)}</Link> : <span className="muted">–</span>}
      </td>
      <td data-col="recent-runs">
        <span className="run-dots">
          {list.map((r) => (
            <Link key={r.dag_run_id} to={`/dags/${encodeURIComponent(dagId)}/runs/${encodeURIComponent(r.dag_run_id)}`} title={`${r.dag_run_id}: ${r.state}`}
              className="run-dot" data-state={r.state} style={{ background: stateColor(r.state) }} />
          ))}
        </span>
      </td>
    </>
  );
}

function RunCounts({ counts }: { counts: Record<string, number> | undefined }) {
  return (
    <span className="run-counts">
      {RUN_STATES.map((state) => {
        const n = counts?.[state] ?? 0;
        return (
          <span key={state} className={`count-circle ${n ? "" : "empty"}`} title={`${state}: ${n}`} data-state={state}
            style={{ borderColor: stateColor(state), background: n ? stateColor(state) : "transparent" }}>
            {n ? n : ""}
          </span>
        );
      })}
    </span>
  );
}

function DagRow({ dag, counts, onTrigger }: { dag: Dag; counts: Record<string, number> | undefined; onTrigger: () => void }) {
  const href = `/dags/${encodeURIComponent(dag.dag_id)}/grid`;
  return (
    <tr data-dag-id={dag.dag_id}>
      <td><PauseToggle dag={dag} /></td>
      <td>
        <Link to={href} className="dag-link">{dag.dag_id}</Link>
        <div className="tags">{dag.tags.map((t) => <span key={t.name} className="tag">{t.name}</span>)}</div>
      </td>
      <td>{dag.owners.join(", ")}</td>
      <td><RunCounts counts={counts} /></td>
      <td className="nowrap"><span className="schedule" title={dag.timetable_description ?? ""}>{scheduleText(dag.schedule_interval)}</span></td>
      <RecentRuns dagId={dag.dag_id} />
      <td className="nowrap" data-col="next-run">{dag.is_paused ? <span className="muted">paused</span> : formatDate(dag.next_dagrun)}</td>
      <td className="actions">
        <button type="button" className="icon-button" title={`Trigger ${dag.dag_id}`} aria-label={`Trigger ${dag.dag_id}`} onClick={onTrigger}>▶</button>
      </td>
    </tr>
  );
}

/** Airflow's DAGs page: every DAG with its pause switch, schedule, runs and a search box. */
export function DagsView() {
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  const dags = useDags(search);
  const ids = (dags.data?.dags ?? []).map((d) => d.dag_id);
  const stats = useDagStats(ids);
  const [triggering, setTriggering] = useState<string | null>(null);
  const counts = new Map((stats.data?.dags ?? []).map((d) => [d.dag_id, Object.fromEntries(d.stats.map((s) => [s.state, s.count]))]));
  return (
    <section>
      <header className="page-header">
        <h1>DAGs</h1>
        <input className="search" type="search" placeholder="Search DAGs" aria-label="Search DAGs" value={search}
          onChange={(e) => setParams(e.target.value ? { search: e.target.value } : {}, { replace: true })} />
      </header>
      {dags.error ? <ErrorPanel error={dags.error} /> : null}
      {dags.data ? (
        <table className="table dags-table">
          <thead>
            <tr><th /><th>DAG</th><th>Owner</th><th>Runs</th><th>Schedule</th><th>Last Run</th><th>Recent Runs</th><th>Next Run</th><th>Actions</th></tr>
          </thead>
          <tbody>
            {dags.data.dags.map((d) => <DagRow key={d.dag_id} dag={d} counts={counts.get(d.dag_id)} onTrigger={() => setTriggering(d.dag_id)} />)}
          </tbody>
        </table>
      ) : dags.isPending ? <p className="muted">Loading…</p> : null}
      {dags.data && !dags.data.dags.length ? <p className="muted">No DAG matches “{search}”.</p> : null}
      {dags.data ? <p className="muted">{dags.data.total_entries} DAG{dags.data.total_entries === 1 ? "" : "s"}</p> : null}
      {triggering ? <TriggerDialog dagId={triggering} onClose={() => setTriggering(null)} /> : null}
    </section>
  );
}
