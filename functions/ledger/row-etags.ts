// The ETag and version of ledger rows this process wrote last, so its next write of such a row
// needs no read first. Such a write is conditional on the remembered ETag (If-Match): if anyone
// changed or deleted the row since, the service answers 412 or 404, and the row is read and
// decided again. So a stale entry costs a round trip, never a wrong write. Bounded: the oldest
// entries go first.
import type { TableClient } from "@azure/data-tables";

export interface KnownRow {
  etag: string;
  /** The row's stored version ("" for a row written without one). */
  version: string;
}

const LIMIT = 20_000;
const known = new Map<string, KnownRow>();

function keyOf(table: TableClient, pk: string, rk: string): string {
  return `${table.url}\n${table.tableName}\n${pk}\n${rk}`;
}

export function rememberRow(table: TableClient, pk: string, rk: string, row: KnownRow): void {
  const key = keyOf(table, pk, rk);
  known.delete(key);
  known.set(key, row);
  if (known.size > LIMIT) known.delete(known.keys().next().value as string);
}

export function knownRow(table: TableClient, pk: string, rk: string): KnownRow | undefined {
  return known.get(keyOf(table, pk, rk));
}

export function forgetRow(table: TableClient, pk: string, rk: string): void {
  known.delete(keyOf(table, pk, rk));
}

/**
 * The ETags of a transaction's `count` operations, in their order (the service answers in request
 * order); none when the answer does not have one sub-response per operation.
 */
export function transactionEtags(response: { subResponses: { etag?: string }[] }, count: number): (string | undefined)[] {
  if (response.subResponses.length !== count) return [];
  return response.subResponses.map((r) => r.etag?.trim());
}
