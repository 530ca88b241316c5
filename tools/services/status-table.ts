import type { StatusResult } from "./lifecycle";

export function formatMegabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(0)} MB`;
}

function pad(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** The status table, then one line with the resident memory of every running service. */
export function formatStatus(results: StatusResult[]): string[] {
  const rows = [
    ["service", "state", "endpoint", "round trip", "rss", "detail"],
    ...results.map((r) => [
      r.service,
      r.state,
      r.endpoint,
      r.roundTripMs === undefined ? "-" : `${r.roundTripMs} ms`,
      r.rssBytes > 0 ? formatMegabytes(r.rssBytes) : "-",
      r.detail,
    ]),
  ];
  const measured = results.filter((r) => r.rssBytes > 0);
  const total = measured.reduce((sum, r) => sum + r.rssBytes, 0);
  const parts = measured.map((r) => `${r.service} ${formatMegabytes(r.rssBytes)}`).join(", ");
  return [...pad(rows), "", `total resident memory: ${formatMegabytes(total)}${parts ? ` (${parts}; Spark holds none between jobs)` : ""}`];
}
