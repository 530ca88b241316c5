// Dates in API responses: Python's isoformat() with +00:00 and microseconds, as Airflow prints
// them, whatever form the writer of the ledger row used (toISOString's "Z", milliseconds or none).
import { formatPreciseInstant, storedInstant } from "../../ledger/precise-instant";

export function apiDate(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const at = storedInstant(value);
  return at === null ? value : formatPreciseInstant(at);
}
