import { civil } from "../time/calendar";
import { isPlainObject } from "../model/json";
import { strftime } from "../time/strftime";
import { airflowIso } from "../time/time";

// Values a template can hold besides plain data: date-times (pendulum-like, UTC) and functions.
// Only what is defined here is callable or has attributes, so a template cannot reach into
// JavaScript internals (constructors, prototypes).

export class TemplateError extends Error {
  override name = "TemplateError";
}

export type Kwargs = Record<string, unknown>;

export class TemplateFunction {
  constructor(readonly name: string, readonly call: (args: unknown[], kwargs: Kwargs) => unknown) {}
}

const UNIT_MS: Record<string, number> = { weeks: 604_800_000, days: 86_400_000, hours: 3_600_000, minutes: 60_000, seconds: 1000 };

/** A UTC date-time with the attributes and methods of pendulum's DateTime that templates use. */
export class TemplateDateTime {
  constructor(readonly ms: number) {}

  toString(): string {
    return airflowIso(this.ms);
  }

  attribute(name: string): unknown {
    const t = civil(this.ms);
    switch (name) {
      case "year": return t.year;
      case "month": return t.month;
      case "day": return t.day;
      case "hour": return t.hour;
      case "minute": return t.minute;
      case "second": return t.second;
      case "microsecond": return t.millisecond * 1000;
      case "day_of_week": return (t.weekday + 6) % 7;
      case "day_of_year": return t.dayOfYear;
      case "int_timestamp": return Math.floor(this.ms / 1000);
      case "strftime": return new TemplateFunction("strftime", ([format]) => strftime(this.ms, expectString(format, "strftime format")));
      case "isoformat": return new TemplateFunction("isoformat", () => airflowIso(this.ms));
      case "to_date_string": return new TemplateFunction("to_date_string", () => strftime(this.ms, "%Y-%m-%d"));
      case "to_datetime_string": return new TemplateFunction("to_datetime_string", () => strftime(this.ms, "%Y-%m-%d %H:%M:%S"));
      case "timestamp": return new TemplateFunction("timestamp", () => this.ms / 1000);
      case "date": return new TemplateFunction("date", () => strftime(this.ms, "%Y-%m-%d"));
      case "add": return new TemplateFunction("add", (_args, kwargs) => new TemplateDateTime(this.ms + offsetMs(kwargs)));
      case "subtract": return new TemplateFunction("subtract", (_args, kwargs) => new TemplateDateTime(this.ms - offsetMs(kwargs)));
      default: throw new TemplateError(`'DateTime' object has no attribute '${name}'`);
    }
  }
}

function offsetMs(kwargs: Kwargs): number {
  let total = 0;
  for (const [unit, value] of Object.entries(kwargs)) {
    if (UNIT_MS[unit] === undefined || typeof value !== "number") throw new TemplateError(`add()/subtract() take weeks, days, hours, minutes, seconds; got ${unit}`);
    total += UNIT_MS[unit] * value;
  }
  return total;
}

export function expectString(value: unknown, what: string): string {
  if (typeof value !== "string") throw new TemplateError(`${what} must be a string, got ${pythonType(value)}`);
  return value;
}

export function pythonType(value: unknown): string {
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "string") return "str";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (typeof value === "boolean") return "bool";
  if (Array.isArray(value)) return "list";
  if (value instanceof TemplateDateTime) return "DateTime";
  if (value instanceof TemplateFunction) return "function";
  return "dict";
}

function pythonRepr(value: unknown): string {
  if (typeof value === "string") return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  if (value instanceof TemplateDateTime) return `DateTime('${value.toString()}')`;
  return pythonStr(value);
}

/** What Jinja prints for a value: Python's str(). */
export function pythonStr(value: unknown): string {
  if (value === null || value === undefined) return "None";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "number") return String(value);
  if (value instanceof TemplateDateTime) return value.toString();
  if (value instanceof TemplateFunction) return `<function ${value.name}>`;
  if (Array.isArray(value)) return `[${value.map(pythonRepr).join(", ")}]`;
  if (isPlainObject(value)) return `{${Object.entries(value).map(([k, v]) => `${pythonRepr(k)}: ${pythonRepr(v)}`).join(", ")}}`;
  return String(value);
}
