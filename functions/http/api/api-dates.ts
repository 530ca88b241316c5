// Dates in API responses: Python's isoformat() with +00:00, as Airflow prints them, whatever form
// the writer of the ledger row used (toISOString's "Z", milliseconds or none).
import { airflowIso, parseInstant } from "../../../orchestrations/runtime/time/time";

export function apiDate(value: string | null): string | null {
  if (value === null) return null;
  try {
    return airflowIso(parseInstant(value));
  } catch {
    return value;
  }
}

export function instantOf(value: string | null): number | null {
  if (value === null) return null;
  try {
    return parseInstant(value);
  } catch {
    return null;
  }
}

/** Nulls last when ascending. */
export function compareInstants(a: string | null, b: string | null): number {
  const x = instantOf(a);
  const y = instantOf(b);
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return x - y;
}
