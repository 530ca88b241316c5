// Plain-text tables for runs and task instances, sized to their content.
import type { RunReport, TaskRow } from "./run-report";

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
}

/** The first line of an error, short enough for a table cell. */
export function errorSummary(error: string | null, max = 70): string {
  if (!error) return "";
  const first = error.split("\n")[0].trim();
  return first.length > max ? `${first.slice(0, max - 3)}...` : first;
}

export function formatSeconds(seconds: number | null): string {
  return seconds === null ? "" : `${seconds.toFixed(2)}s`;
}

export function taskTable(tasks: readonly TaskRow[]): string {
  return formatTable(
    ["task", "map_index", "state", "try", "duration", "error"],
    tasks.map((t) => [
      t.taskId, String(t.mapIndex), t.reused ? `${t.state} (reused)` : t.state, String(t.tryNumber),
      formatSeconds(t.duration), errorSummary(t.error),
    ]),
  );
}

/** "success 5, skipped 3": instances by state, most frequent first. */
export function statesSummary(tasks: readonly TaskRow[]): string {
  const counts = new Map<string, number>();
  for (const t of tasks) counts.set(t.state, (counts.get(t.state) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s, n]) => `${s} ${n}`).join(", ");
}

/** A run's task table followed by its final state line, as `dags test` prints it. */
export function runSummary(report: RunReport): string {
  const lines = [taskTable(report.tasks), "", `DAG run ${report.dagId} ${report.runId}: ${report.state} (${report.wallSeconds.toFixed(2)} s wall)`];
  if (report.reason) lines.push(`reason: ${report.reason}`);
  return lines.join("\n");
}

export function runsTable(reports: readonly RunReport[]): string {
  return formatTable(
    ["dag", "run id", "state", "duration", "tasks"],
    reports.map((r) => [r.dagId, r.runId, r.state, `${r.wallSeconds.toFixed(2)}s`, statesSummary(r.tasks)]),
  );
}
