// NCRONTAB schedules as the Functions timer trigger reads them: six fields
// "second minute hour day month day-of-week", evaluated in UTC here (WEBSITE_TIME_ZONE is not
// honoured). Like NCrontab, a day must match both the day and the day-of-week fields.
// A TimeSpan ("hh:mm:ss") schedule means "every interval".

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  namesBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: "second", min: 0, max: 59 },
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTHS, namesBase: 1 },
  { name: "day-of-week", min: 0, max: 6, names: DAYS, namesBase: 0 },
];

export interface Schedule {
  /** The first occurrence strictly after `after`. */
  next(after: Date): Date;
  readonly expression: string;
}

function parseValue(text: string, spec: FieldSpec, expression: string): number {
  const upper = text.toUpperCase();
  const named = spec.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + (spec.namesBase ?? 0);
  if (!/^\d+$/.test(text)) throw new Error(`Invalid ${spec.name} "${text}" in schedule "${expression}".`);
  let n = Number(text);
  if (spec.name === "day-of-week" && n === 7) n = 0; // 7 is Sunday too
  if (n < spec.min || n > spec.max) throw new Error(`${spec.name} ${n} out of range ${spec.min}-${spec.max} in schedule "${expression}".`);
  return n;
}

function parseField(text: string, spec: FieldSpec, expression: string): Set<number> {
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [rangeText, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Invalid step "${stepText}" in schedule "${expression}".`);
    let lo: number;
    let hi: number;
    if (rangeText === "*") [lo, hi] = [spec.min, spec.max];
    else if (rangeText.includes("-")) {
      const [a, b] = rangeText.split("-");
      [lo, hi] = [parseValue(a, spec, expression), parseValue(b, spec, expression)];
    } else {
      lo = parseValue(rangeText, spec, expression);
      hi = stepText === undefined ? lo : spec.max; // "5/15" means from 5 every 15
    }
    if (lo > hi) throw new Error(`Invalid range "${rangeText}" in schedule "${expression}".`);
    for (let v = lo; v <= hi; v += step) values.add(v);
  }
  return values;
}

class CronSchedule implements Schedule {
  private readonly fields: Set<number>[];
  constructor(readonly expression: string) {
    const parts = expression.trim().split(/\s+/);
    if (parts.length !== 6) throw new Error(`Schedule "${expression}" must have 6 fields (second minute hour day month day-of-week), found ${parts.length}.`);
    this.fields = parts.map((p, i) => parseField(p, FIELDS[i], expression));
  }

  next(after: Date): Date {
    const [seconds, minutes, hours, days, months, weekdays] = this.fields;
    const t = new Date(Math.floor(after.getTime() / 1000) * 1000 + 1000);
    const limit = after.getTime() + 5 * 366 * 86_400_000;
    while (t.getTime() <= limit) {
      if (!months.has(t.getUTCMonth() + 1)) {
        t.setUTCMonth(t.getUTCMonth() + 1, 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!days.has(t.getUTCDate()) || !weekdays.has(t.getUTCDay())) {
        t.setUTCDate(t.getUTCDate() + 1);
        t.setUTCHours(0, 0, 0, 0);
        continue;
      }
      if (!hours.has(t.getUTCHours())) {
        t.setUTCHours(t.getUTCHours() + 1, 0, 0, 0);
        continue;
      }
      if (!minutes.has(t.getUTCMinutes())) {
        t.setUTCMinutes(t.getUTCMinutes() + 1, 0, 0);
        continue;
      }
      if (!seconds.has(t.getUTCSeconds())) {
        t.setUTCSeconds(t.getUTCSeconds() + 1, 0);
        continue;
      }
      return t;
    }
    throw new Error(`Schedule "${this.expression}" has no occurrence within 5 years of ${after.toISOString()}.`);
  }
}

class IntervalSchedule implements Schedule {
  constructor(
    readonly expression: string,
    private readonly intervalMs: number,
  ) {
    if (intervalMs <= 0) throw new Error(`Schedule "${expression}" must be a positive interval.`);
  }
  next(after: Date): Date {
    return new Date(after.getTime() + this.intervalMs);
  }
}

export function parseSchedule(expression: string): Schedule {
  const span = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})$/.exec(expression.trim());
  if (span) {
    const [, d, h, m, s] = span;
    return new IntervalSchedule(expression, (((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000);
  }
  return new CronSchedule(expression);
}
