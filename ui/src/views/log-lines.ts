// When a try ran, read from its log: Airflow's task log lines start with their time
// (`[2024-01-01T00:00:00.000+0000] {source} INFO - ...`). The ledger keeps only the latest try's
// times, so earlier tries are timed by their first and last lines.

const STAMP = /^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?)([+-]\d{2}:?\d{2}|Z)\]/;

function stampOf(line: string): number | null {
  const m = STAMP.exec(line);
  if (!m) return null;
  const zone = m[2] === "Z" ? "Z" : `${m[2].slice(0, 3)}:${m[2].slice(-2)}`;
  const t = Date.parse(`${m[1]}${zone}`);
  return Number.isFinite(t) ? t : null;
}

export function logTimes(text: string): { start: string; end: string; seconds: number } | null {
  const stamps = text.split("\n").map(stampOf).filter((t): t is number => t !== null);
  if (!stamps.length) return null;
  const start = Math.min(...stamps);
  const end = Math.max(...stamps);
  return { start: new Date(start).toISOString(), end: new Date(end).toISOString(), seconds: (end - start) / 1000 };
}
