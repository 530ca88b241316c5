import { civil, utcMs } from "./calendar";

// UTC instants as epoch milliseconds, parsed from and formatted to the text forms Airflow uses.
// Naive date-times are UTC, Airflow's default timezone.

/** Epoch milliseconds, ISO 8601 text, or a Date (such as context.df.currentUtcDateTime). */
export type InstantInput = number | string | { getTime(): number };
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseInstant(input: InstantInput): number {
  if (typeof input === "number") {
    if (!Number.isFinite(input)) throw new Error(`invalid instant ${input}`);
    return input;
  }
  if (typeof input !== "string") {
    const ms = input.getTime();
    if (!Number.isFinite(ms)) throw new Error("invalid Date");
    return ms;
  }
  const match = INSTANT.exec(input.trim());
  if (!match) throw new Error(`invalid date "${input}": expected ISO 8601 such as 2023-01-01 or 2023-01-01T06:00:00+00:00`);
  const [, y, mo, d, h, mi, s, frac, zone] = match;
  const ms = frac === undefined ? 0 : Math.floor(Number(`0.${frac}`) * 1000);
  let value = utcMs(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(s ?? 0), ms);
  const check = civil(value);
  if (check.day !== Number(d) || check.month !== Number(mo) || Number(h ?? 0) > 23 || Number(mi ?? 0) > 59 || Number(s ?? 0) > 59) {
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
// The orchestrator formats the same instant (the episode's time) many times per replay.
let lastMs = NaN;
let lastText = "";

export function airflowIso(ms: number): string {
  if (ms === lastMs) return lastText;
  lastMs = ms;
  lastText = formatIso(ms);
  return lastText;
}

function formatIso(ms: number): string {
  const t = civil(ms);
  const frac = t.millisecond === 0 ? "" : `.${pad(t.millisecond, 3)}000`;
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${frac}+00:00`;
}
