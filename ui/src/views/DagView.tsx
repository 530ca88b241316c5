import { useState } from "react";
import { NavLink, Outlet, useParams } from "react-router";
import { useDag } from "../api/queries";
import { ErrorPanel } from "../components/ErrorPanel";
import { PauseToggle } from "../components/PauseToggle";
import { TriggerDialog } from "../components/TriggerDialog";
import { formatDate } from "../format";
import { scheduleText } from "./DagsView";

/** One DAG's frame: its name, pause switch, schedule and next run, the Grid and Graph tabs. */
export function DagView() {
  const { dagId = "" } = useParams();
  const dag = useDag(dagId);
  const [triggering, setTriggering] = useState(false);
  if (dag.error) return <ErrorPanel error={dag.error} />;
  const base = `/dags/${encodeURIComponent(dagId)}`;
  const d = dag.data;
  // The tab's own data loads alongside the DAG's: the header fills in when it comes.
  return (
    <section className="dag-page">
      {!d ? <header className="page-header dag-header"><h1><span className="muted small">DAG:</span> {dagId}</h1></header> : (
      <header className="page-header dag-header">
        <PauseToggle dag={d} />
        <h1><span className="muted small">DAG:</span> {d.dag_id}</h1>
        <div className="tags">{d.tags.map((t) => <span key={t.name} className="tag">{t.name}</span>)}</div>
        <span className="spacer" />
        <span className="meta" title={d.timetable_description ?? ""}>Schedule: <b>{scheduleText(d.schedule_interval)}</b></span>
        <span className="meta" data-testid="next-run">Next run: <b>{d.is_paused ? "paused" : formatDate(d.next_dagrun)}</b></span>
        <button type="button" className="primary" onClick={() => setTriggering(true)}>▶ Trigger</button>
      </header>
      )}
      {d?.description ? <p className="muted">{d.description}</p> : null}
      <nav className="tabs">
        <NavLink to={`${base}/grid`}>Grid</NavLink>
        <NavLink to={`${base}/graph`}>Graph</NavLink>
      </nav>
      <Outlet />
      {triggering ? <TriggerDialog dagId={dagId} onClose={() => setTriggering(false)} /> : null}
    </section>
  );
}
