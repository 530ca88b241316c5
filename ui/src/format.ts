// Airflow's state colours (airflow/settings.py STATE_COLORS, the web UI's defaults) and the
// date and duration formats its views use.

export const STATE_COLORS: Record<string, string> = {
  deferred: "mediumpurple",
  failed: "red",
  queued: "gray",
  removed: "lightgrey",
  restarting: "violet",
  running: "lime",
  scheduled: "tan",
  skipped: "hotpink",
  success: "green",
  up_for_reschedule: "turquoise",
  up_for_retry: "gold",
  upstream_failed: "orange",
  shutdown: "blue",
};

/** No state yet: Airflow draws an empty cell with a light border. */
export const NO_STATUS_COLOR = "white";

export function stateColor(state: string | null | undefined): string {
  return (state && STATE_COLORS[state]) || NO_STATUS_COLOR;
}

export const RUN_STATES = ["queued", "running", "success", "failed"] as const;

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  // UTC, as Airflow shows by default: 2024-01-02, 03:04:05 UTC
  return `${d.toISOString().slice(0, 10)}, ${d.toISOString().slice(11, 19)} UTC`;
}

export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  const total = Math.round(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return h ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}` : `${m}:${String(s).padStart(2, "0")}`;
}

export function secondsBetween(start: string | null | undefined, end: string | null | undefined, now = Date.now()): number | null {
  if (!start) return null;
  const from = Date.parse(start);
  const to = end ? Date.parse(end) : now;
  return Number.isFinite(from) && Number.isFinite(to) ? Math.max(0, (to - from) / 1000) : null;
}
