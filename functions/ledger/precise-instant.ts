// Instants with microseconds, as Airflow's timestamps carry them (Python datetimes). The rest of
// azflow counts in epoch milliseconds; dates that callers give (logical_date, interval bounds) keep
// their sub-millisecond digits here, so `.123456` comes back as written and differs from `.123789`.
import { civil, utcMs } from "../../orchestrations/runtime/time/calendar";

export interface PreciseInstant {
  /** Epoch milliseconds (floored). */
  ms: number;
  /** Microseconds within the millisecond, 0-999. */
  micros: number;
}

/** Why a text is not an instant Airflow accepts; `naive` when it only lacks a time zone. */
export class InstantError extends Error {
  override name = "InstantError";
  constructor(message: string, readonly naive = false) {
    super(message);
  }
}

// RFC 3339 as Python reads it: date, T or space, time with optional seconds and fraction, and a
// zone of Z, +hh, +hhmm or +hh:mm. A date alone is read as midnight, without a zone.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

// Python's datetime range, in UTC: storing a date outside it breaks every Python client.
const MIN_MS = utcMs(1, 1, 1);
const MAX_MS = utcMs(10000, 1, 1) - 1;

/**
 * Parses an ISO 8601 / RFC 3339 date-time. Naive values (no zone) are refused with `naive` set
 * unless `naiveAsUtc`, which reads them as UTC (Airflow's default time zone, used for query filters).
 */
export function parsePreciseInstant(text: string, options: { naiveAsUtc?: boolean } = {}): PreciseInstant {
  const m = DATE_TIME.exec(text.trim());
  if (!m) throw new InstantError(`'${text}' is not an RFC 3339 date-time such as 2024-01-01T00:00:00+00:00`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  const [year, month, day, hour, minute, second] = [y, mo, d, h, mi, s].map(Number);
  if (year < 1) throw new InstantError(`'${text}': year ${year} is out of range 1-9999`);
  const local = utcMs(year, month, day, hour, minute, second);
  const check = civil(local);
  if (month < 1 || month > 12 || check.day !== day || check.month !== month || hour > 23 || minute > 59 || second > 59) {
    throw new InstantError(`'${text}': no such day or time`);
  }
  if (zone === undefined && !options.naiveAsUtc) throw new InstantError("Naive datetime is disallowed", true);
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== "Z") {
    const digits = zone.slice(1).replace(":", "");
    const hours = Number(digits.slice(0, 2));
    const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
    if (hours > 23 || minutes > 59) throw new InstantError(`'${text}': offset ${zone} is out of range (at most ±23:59)`);
    offsetMinutes = (zone.startsWith("-") ? -1 : 1) * (hours * 60 + minutes);
  }
  const fraction = frac.padEnd(6, "0").slice(0, 6);
  const ms = local - offsetMinutes * 60_000 + Math.floor(Number(fraction) / 1000);
  if (ms < MIN_MS || ms > MAX_MS) throw new InstantError(`'${text}' is outside the range of dates in UTC (0001-01-01 to 9999-12-31)`);
  return { ms, micros: Number(fraction) % 1000 };
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

/** Python's isoformat() in UTC: 2024-01-01T00:00:00+00:00, with six fraction digits when non-zero. */
export function formatPreciseInstant(at: PreciseInstant): string {
  const t = civil(at.ms);
  const micros = t.millisecond * 1000 + at.micros;
  const frac = micros === 0 ? "" : `.${pad(micros, 6)}`;
  return `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:${pad(t.second)}${frac}+00:00`;
}

/** Orders two instants; negative when a is earlier. */
export function comparePrecise(a: PreciseInstant, b: PreciseInstant): number {
  return a.ms - b.ms || a.micros - b.micros;
}

/** Reads a stored instant (whatever form its writer used; naive is UTC), or null if it is not one. */
export function storedInstant(text: string | null | undefined): PreciseInstant | null {
  if (text === null || text === undefined) return null;
  try {
    return parsePreciseInstant(text, { naiveAsUtc: true });
  } catch {
    return null;
  }
}

let lastNow: PreciseInstant = { ms: 0, micros: 0 };

/**
 * The current time, strictly increasing within this process: a call in the same millisecond as
 * the last gets the next microsecond, so that requests defaulting their logical date to "now"
 * never share one (callers retry on the rare collision across processes).
 */
export function preciseNow(nowMs: number = Date.now()): PreciseInstant {
  let next: PreciseInstant = { ms: nowMs, micros: 0 };
  if (comparePrecise(next, lastNow) <= 0) {
    next = lastNow.micros < 999 ? { ms: lastNow.ms, micros: lastNow.micros + 1 } : { ms: lastNow.ms + 1, micros: 0 };
  }
  lastNow = next;
  return next;
}
