// Query parameters as Airflow's v1 API reads them: limit (default and maximum 100; 0 means the
// default), offset, order_by with a "-" prefix for descending (only known fields), date filters
// (an unencoded "+" in an offset arrives as a space and is read back as "+"), number and list
// filters, and `fields`; bad values are a 400.
import { comparePrecise, parsePreciseInstant, storedInstant, type PreciseInstant } from "../../ledger/precise-instant";
import { badRequest } from "./problem";

export const MAX_PAGE_LIMIT = 100;

function intParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw.trim())) throw badRequest(`Wrong type, expected 'integer' for query parameter '${name}'`);
  return Number(raw);
}

export interface Page {
  limit: number;
  offset: number;
}

/** Airflow's check_limit: above the maximum is lowered to it, 0 is the default, negative a 400. */
export function pageLimit(value: number | undefined): number {
  if (value === undefined || value === 0) return MAX_PAGE_LIMIT;
  if (value < 0) throw badRequest("Page limit must be a positive integer");
  return Math.min(value, MAX_PAGE_LIMIT);
}

export function pageParams(query: URLSearchParams): Page {
  const offset = intParam(query, "offset") ?? 0;
  if (offset < 0) throw badRequest(`${offset} is less than the minimum of 0 for query parameter 'offset'`);
  return { limit: pageLimit(intParam(query, "limit")), offset };
}

export function pageOf<T>(items: readonly T[], page: Page): T[] {
  return items.slice(page.offset, page.offset + page.limit);
}

export type Comparator<T> = (a: T, b: T) => number;

/**
 * order_by: one of `allowed` (or "-" + it for descending); `fallback` when absent. Names are looked
 * up as own keys of a Map, so "__proto__", "constructor" and the like are unknown fields (400).
 */
export function orderBy<T>(raw: string | null | undefined, allowed: ReadonlyMap<string, Comparator<T>>, fallback: string): Comparator<T> {
  const text = raw || fallback;
  const descending = text.startsWith("-");
  const name = text.replace(/^-+/, "");
  const compare = allowed.get(name);
  if (!compare) throw badRequest(`Ordering with '${name}' is disallowed or the attribute does not exist on the model`);
  return descending ? (a, b) => compare(b, a) : compare;
}

export function orderParam<T>(query: URLSearchParams, allowed: ReadonlyMap<string, Comparator<T>>, fallback: string): Comparator<T> {
  return orderBy(query.get("order_by"), allowed, fallback);
}

/** A date-time as Airflow's format_datetime reads it (naive is UTC). */
export function parseQueryDate(raw: string, name: string): PreciseInstant {
  let text = raw.trim();
  // Airflow: an unencoded "+" in the offset arrives as a space; put it back unless the value ends in Z.
  if (!text.endsWith("Z")) text = text.replace(" ", "+");
  try {
    return parsePreciseInstant(text, { naiveAsUtc: true });
  } catch (err) {
    throw badRequest(`'${raw}' is not a 'date-time' for query parameter '${name}': ${(err as Error).message}`);
  }
}

export function dateParam(query: URLSearchParams, name: string): PreciseInstant | undefined {
  const raw = query.get(name);
  // An empty value is not a date-time (Airflow fails on it too), not an absent filter.
  if (raw === null) return undefined;
  return parseQueryDate(raw, name);
}

export function numberParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  const value = Number(raw);
  if (!/^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/.test(raw) || !Number.isFinite(value)) throw badRequest(`Wrong type, expected 'number' for query parameter '${name}'`);
  return value;
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)$/i.test(raw)) return false;
  throw badRequest(`Wrong type, expected 'boolean' for query parameter '${name}'`);
}

/** Repeated (state=a&state=b) or comma-separated values. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Inclusive bounds on an instant; either may be absent. */
export interface DateRange {
  gte?: PreciseInstant;
  lte?: PreciseInstant;
}

export function dateRange(query: URLSearchParams, field: string): DateRange {
  return { gte: dateParam(query, `${field}_gte`), lte: dateParam(query, `${field}_lte`) };
}

/** As SQL compares: a row without the value never matches a bound. */
export function inDateRange(value: string | null | undefined, range: DateRange): boolean {
  if (!range.gte && !range.lte) return true;
  const at = storedInstant(value);
  return at !== null && (!range.gte || comparePrecise(at, range.gte) >= 0) && (!range.lte || comparePrecise(at, range.lte) <= 0);
}

export function inNumberRange(value: number | null, gte: number | undefined, lte: number | undefined): boolean {
  if (gte === undefined && lte === undefined) return true;
  return value !== null && (gte === undefined || value >= gte) && (lte === undefined || value <= lte);
}

/**
 * Airflow's `fields`: only these keys of each object, in the order asked; a key the object does
 * not have is a 400 naming the schema.
 */
export function selectFields<T extends object>(items: T[], fields: readonly string[], schema: string): Partial<T>[] | T[] {
  if (!fields.length) return items;
  return items.map((item) => {
    const out: Record<string, unknown> = {};
    for (const f of fields) {
      if (!Object.hasOwn(item, f)) throw badRequest(`${f} not in ${schema}`, `${schema} error`);
      out[f] = (item as Record<string, unknown>)[f];
    }
    return out as Partial<T>;
  });
}

/** Nulls sort last ascending, as in Postgres, Airflow's usual database. */
export function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

export function compareNumbers(a: number | null, b: number | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a - b;
}

/** Instants in stored text, nulls last ascending. */
export function compareStoredInstants(a: string | null | undefined, b: string | null | undefined): number {
  const x = storedInstant(a);
  const y = storedInstant(b);
  if (x === null && y === null) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return comparePrecise(x, y);
}

/** SQL ILIKE with "%" and "_" wildcards (and "\" escaping them), case-insensitive. */
export function ilikeMatcher(pattern: string): (text: string) => boolean {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "\\" && i + 1 < pattern.length) source += pattern[++i].replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "%") source += "[\\s\\S]*";
    else if (c === "_") source += "[\\s\\S]";
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  const re = new RegExp(`^${source}$`, "i");
  return (text) => re.test(text);
}
