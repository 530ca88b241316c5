// Query parameters as Airflow's v1 API reads them: limit (default and maximum 100), offset,
// order_by with a "-" prefix for descending, date range filters; bad values are a 400.
import { parseInstant } from "../../../orchestrations/runtime/time/time";
import { badRequest } from "./problem";

export const MAX_PAGE_LIMIT = 100;

function intParam(query: URLSearchParams, name: string, minimum: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^-?\d+$/.test(raw)) throw badRequest(`Wrong type, expected 'integer' for query parameter '${name}'`);
  const value = Number(raw);
  if (value < minimum) throw badRequest(`${value} is less than the minimum of ${minimum} for query parameter '${name}'`);
  return value;
}

export interface Page {
  limit: number;
  offset: number;
}

/** A limit above the maximum is lowered to it, as Airflow does, rather than refused. */
export function pageParams(query: URLSearchParams): Page {
  return {
    limit: Math.min(intParam(query, "limit", 1) ?? MAX_PAGE_LIMIT, MAX_PAGE_LIMIT),
    offset: intParam(query, "offset", 0) ?? 0,
  };
}

export function pageOf<T>(items: readonly T[], page: Page): T[] {
  return items.slice(page.offset, page.offset + page.limit);
}

export type Comparator<T> = (a: T, b: T) => number;

/** order_by: one of `allowed` (or "-" + it for descending); `fallback` when absent. */
export function orderParam<T>(query: URLSearchParams, allowed: Record<string, Comparator<T>>, fallback: string): Comparator<T> {
  const raw = query.get("order_by") || fallback;
  const descending = raw.startsWith("-");
  const compare = allowed[descending ? raw.slice(1) : raw];
  if (!compare) throw badRequest(`Ordering with '${raw}' is disallowed or the attribute does not exist on the model`);
  return descending ? (a, b) => compare(b, a) : compare;
}

export function dateParam(query: URLSearchParams, name: string): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  try {
    return parseInstant(raw);
  } catch {
    throw badRequest(`'${raw}' is not a 'date-time' for query parameter '${name}'`);
  }
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
  const raw = query.get(name);
  if (raw === null || raw === "") return undefined;
  if (/^(true|1)$/i.test(raw)) return true;
  if (/^(false|0)$/i.test(raw)) return false;
  throw badRequest(`Wrong type, expected 'boolean' for query parameter '${name}'`);
}

/** Repeated (state=a&state=b) or comma-separated values. */
export function listParam(query: URLSearchParams, name: string): string[] {
  return query.getAll(name).flatMap((v) => v.split(",")).map((v) => v.trim()).filter((v) => v.length > 0);
}

/** Nulls sort last ascending, as in Postgres, Airflow's usual database. */
export function compareText(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
