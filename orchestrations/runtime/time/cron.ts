import { civil, isoUtc, MINUTE_MS as MINUTE, utcMs } from "./calendar";

// Five-field cron (minute hour day-of-month month day-of-week), evaluated in UTC, with the
// semantics Airflow gets from croniter: lists, ranges, steps, JAN-DEC / SUN-SAT names, 7 = Sunday,
// and day-of-month OR day-of-week when both are restricted.
export interface CronExpression {
  readonly source: string;
  /** The five fields with names replaced by numbers and 7 by 0 in day-of-week. */
  readonly fields: readonly string[];
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly daysOfMonth: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly daysOfWeek: ReadonlySet<number>;
  readonly domRestricted: boolean;
  readonly dowRestricted: boolean;
}

export class CronError extends Error {
  override name = "CronError";
}

const MONTH_NAMES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec { name: string; min: number; max: number; names?: readonly string[]; nameBase?: number }
const FIELDS: readonly FieldSpec[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day-of-month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES, nameBase: 1 },
  { name: "day-of-week", min: 0, max: 7, names: DAY_NAMES, nameBase: 0 },
];

function parseValue(text: string, spec: FieldSpec, source: string): number {
  const upper = text.toUpperCase();
  if (spec.names) {
    const index = spec.names.indexOf(upper);
    if (index >= 0) return index + (spec.nameBase ?? 0);
  }
  if (!/^\d+$/.test(text)) throw new CronError(`cron "${source}": ${spec.name} value "${text}" is not a number${spec.names ? " or name" : ""}`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new CronError(`cron "${source}": ${spec.name} value ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, source: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    if (part === "") throw new CronError(`cron "${source}": empty list item in ${spec.name} field "${text}"`);
    const [rangeText, stepText, extra] = part.split("/");
    if (extra !== undefined) throw new CronError(`cron "${source}": "${part}" has more than one step`);
    let step = 1;
    if (stepText !== undefined) {
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0) throw new CronError(`cron "${source}": step "${stepText}" in ${spec.name} must be a positive integer`);
      step = Number(stepText);
    }
    let low: number;
    let high: number;
    if (rangeText === "*" || rangeText === "?") {
      low = spec.min;
      high = spec.name === "day-of-week" ? 6 : spec.max;
    } else if (rangeText.includes("-")) {
      const [a, b, more] = rangeText.split("-");
      if (more !== undefined || a === "" || b === "") throw new CronError(`cron "${source}": bad range "${rangeText}" in ${spec.name}`);
      low = parseValue(a, spec, source);
      high = parseValue(b, spec, source);
      if (low > high) throw new CronError(`cron "${source}": range ${rangeText} in ${spec.name} is reversed`);
    } else {
      low = parseValue(rangeText, spec, source);
      // croniter reads "a/n" as "from a to the end of the range, every n".
      high = stepText !== undefined ? (spec.name === "day-of-week" ? 6 : spec.max) : low;
    }
    for (let v = low; v <= high; v += step) values.add(spec.name === "day-of-week" && v === 7 ? 0 : v);
  }
  return values;
}

function normaliseField(text: string, spec: FieldSpec): string {
  let out = text;
  if (spec.names) {
    out = out.replace(/[A-Za-z]{3}/g, (name) => {
      const index = spec.names?.indexOf(name.toUpperCase()) ?? -1;
      return index >= 0 ? String(index + (spec.nameBase ?? 0)) : name;
    });
  }
  return out;
}

const cache = new Map<string, CronExpression>();

export function parseCron(source: string): CronExpression {
  const cached = cache.get(source);
  if (cached) return cached;
  const parts = source.trim().split(/\s+/);
  if (parts.length !== 5) {
    throw new CronError(`cron "${source}": expected 5 fields (minute hour day-of-month month day-of-week), got ${parts.length}`);
  }
  const sets = parts.map((part, i) => parseField(part, FIELDS[i], source));
  const expression: CronExpression = {
    source,
    fields: parts.map((part, i) => normaliseField(part, FIELDS[i])),
    minutes: sets[0],
    hours: sets[1],
    daysOfMonth: sets[2],
    months: sets[3],
    daysOfWeek: sets[4],
    domRestricted: parts[2] !== "*" && parts[2] !== "?",
    dowRestricted: parts[4] !== "*" && parts[4] !== "?",
  };
  // Reject expressions that can never fire (such as 30 February) at definition time.
  try {
    cronNext(expression, utcMs(2000, 1, 1));
  } catch {
    throw new CronError(`cron "${source}": never fires`);
  }
  cache.set(source, expression);
  return expression;
}

// Farther than any real schedule's gap (29 February comes at least every 8 years).
const SEARCH_LIMIT_MS = 9 * 366 * 86_400_000;

function dayMatches(cron: CronExpression, day: number, weekday: number): boolean {
  const dom = cron.daysOfMonth.has(day);
  const dow = cron.daysOfWeek.has(weekday);
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first fire time strictly after `afterMs` (epoch milliseconds, UTC). */
export function cronNext(cron: CronExpression, afterMs: number): number {
  let t = Math.floor(afterMs / MINUTE) * MINUTE + MINUTE;
  const limit = t + SEARCH_LIMIT_MS;
  while (t <= limit) {
    const { year: y, month: mo, day, hour: h, minute, weekday } = civil(t);
    if (!cron.months.has(mo)) t = utcMs(y, mo + 1, 1);
    else if (!dayMatches(cron, day, weekday)) t = utcMs(y, mo, day + 1);
    else if (!cron.hours.has(h)) t = utcMs(y, mo, day, h + 1);
    else if (!cron.minutes.has(minute)) t += MINUTE;
    else return t;
  }
  throw new CronError(`cron "${cron.source}" has no fire time after ${isoUtc(afterMs)}`);
}

/** The last fire time at or before `atMs`. */
export function cronPrevOrAt(cron: CronExpression, atMs: number): number {
  let t = Math.floor(atMs / MINUTE) * MINUTE;
  const limit = t - SEARCH_LIMIT_MS;
  while (t >= limit) {
    const { year: y, month: mo, day, hour: h, minute, weekday } = civil(t);
    if (!cron.months.has(mo)) t = utcMs(y, mo, 1) - MINUTE;
    else if (!dayMatches(cron, day, weekday)) t = utcMs(y, mo, day) - MINUTE;
    else if (!cron.hours.has(h)) t = utcMs(y, mo, day, h) - MINUTE;
    else if (!cron.minutes.has(minute)) t -= MINUTE;
    else return t;
  }
  throw new CronError(`cron "${cron.source}" has no fire time before ${isoUtc(atMs)}`);
}

/** The last fire time strictly before `beforeMs`. */
export function cronPrev(cron: CronExpression, beforeMs: number): number {
  return cronPrevOrAt(cron, Math.ceil(beforeMs / MINUTE) * MINUTE - MINUTE);
}

export function cronMatches(cron: CronExpression, ms: number): boolean {
  return ms % MINUTE === 0 && cronPrevOrAt(cron, ms) === ms;
}
