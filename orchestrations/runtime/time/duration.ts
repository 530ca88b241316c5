// Durations are written as seconds (number) or text: "30s", "5m", "1h30m", "1d", "500ms", or ISO 8601
// ("PT20S", "P1D"). Everything is normalised to seconds at definition time so the compiled DAG
// carries plain numbers.
export type Duration = number | string;

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
const COMPACT = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/;
const ISO = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/** Parses a duration into seconds; throws a message that quotes the bad input. */
export function parseDuration(value: Duration): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new Error(`invalid duration ${value}: expected a non-negative number of seconds`);
    return value;
  }
  if (typeof value !== "string") throw new Error(`invalid duration ${String(value)}: expected seconds or a string such as "30s"`);
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  const iso = ISO.exec(text);
  if (iso && text !== "P" && !text.endsWith("T")) {
    const [w, d, h, m, s] = iso.slice(1).map((part) => (part === undefined ? 0 : Number(part)));
    return w * 604800 + d * 86400 + h * 3600 + m * 60 + s;
  }
  let rest = text;
  let total = 0;
  while (rest.length > 0) {
    const match = COMPACT.exec(rest);
    if (!match) throw new Error(`invalid duration "${value}": expected e.g. 30s, 5m, 1h30m, 1d or ISO 8601 PT5M`);
    total += Number(match[1]) * UNIT_SECONDS[match[2]];
    rest = rest.slice(match[0].length).trimStart();
  }
  if (text.length === 0) throw new Error(`invalid duration "": expected e.g. 30s`);
  return total;
}

export function optionalDuration(value: Duration | null | undefined): number | null {
  return value === undefined || value === null ? null : parseDuration(value);
}
