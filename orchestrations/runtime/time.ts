// UTC instants as epoch milliseconds, parsed from and formatted to the text forms Airflow uses.
// Naive date-times are UTC, Airflow's default timezone.
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseInstant(input: string | Date | number): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new Error(`invalid instant ${input}`);
    return input;
  }
  if (input instanceof Date) {
    const ms = input.getTime();
    if (Number.isNaN(ms)) throw new Error("invalid Date");
    return ms;
  }
  const match = INSTANT.exec(input.trim());
  if (!match) throw new Error(`invalid date "${input}": expected ISO 8601 such as 2023-01-01 or 2023-01-01T06:00:00+00:00`);
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let value = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  const check = new Date(value);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) {
    throw new Error(`invalid date "${input}": no such day or time`);
  }
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    value -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
  }
  return value;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Python's datetime.isoformat() for a UTC instant: 2023-01-01T00:00:00+00:00 (microseconds when non-zero). */
export function airflowIso(ms: number): string {
  const d = new Date(ms);
  const frac = d.getUTCMilliseconds() === 0 ? "" : `.${pad(d.getUTCMilliseconds(), 3)}000`;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${frac}+00:00`;
}

export const SECOND_MS = 1000;
export const DAY_SECONDS = 86_400;
