// Conditional writes to the run ledger. Every row the orchestrator decides carries a version
// (see ledgerVersion); a row is replaced only by a higher version, checked against the stored
// row's ETag, so rows that arrive out of order (two activities carrying decisions, a late or
// repeated attempt) never undo a later decision. Rows without a version (created with the run,
// or by older code) count as the lowest.
import { RestError, type TableEntity, type TransactionAction } from "@azure/data-tables";
import type { DagRunRecord, TaskInstanceRecord } from "./records";
import { taskPartition, taskRowKey, type RunLedger } from "./run-ledger";
import { toKey } from "./table-keys";

export type VersionedTaskRow = Partial<TaskInstanceRecord> & { task_id: string; map_index: number; version: string };
export type VersionedRunRow = Partial<DagRunRecord> & { version: string };

const ATTEMPTS = 6;
const READ_CONCURRENCY = 16;

function conflict(err: unknown): boolean {
  return err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412);
}

async function readRow(ledger: RunLedger["tasks"], pk: string, rk: string): Promise<{ etag?: string; version?: unknown } | undefined> {
  try {
    return await ledger.getEntity<{ version?: unknown }>(pk, rk);
  } catch (err) {
    if (err instanceof RestError && err.statusCode === 404) return undefined;
    throw err;
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  }));
  return out;
}

/**
 * Writes task-instance rows of one run where they are newer than what is stored. Returns the
 * `task_id#map_index` keys of rows that were older than the stored ones (and so not written).
 */
export async function writeTaskRowsIfNewer(ledger: RunLedger, dagId: string, runId: string, rows: VersionedTaskRow[]): Promise<Set<string>> {
  const rejected = new Set<string>();
  if (!rows.length) return rejected;
  await ledger.ensureTables();
  const partitionKey = taskPartition(dagId, runId);
  // One entity per row: the newest version wins, its fields laid over the older ones'.
  const byRow = new Map<string, VersionedTaskRow>();
  for (const r of rows) {
    const key = taskRowKey(r.task_id, r.map_index);
    const prev = byRow.get(key);
    byRow.set(key, !prev ? r : r.version >= prev.version ? { ...prev, ...r } : { ...r, ...prev });
  }
  let todo = [...byRow.entries()];
  for (let attempt = 1; todo.length; attempt++) {
    const stored = await mapLimited(todo, READ_CONCURRENCY, ([rk]) => readRow(ledger.tasks, partitionKey, rk));
    const actions: { rk: string; action: TransactionAction }[] = [];
    todo.forEach(([rk, row], i) => {
      const current = stored[i];
      if (current && String(current.version ?? "") >= row.version) {
        rejected.add(`${row.task_id}#${row.map_index}`);
        return;
      }
      const entity = { partitionKey, rowKey: rk, dag_id: dagId, dag_run_id: runId, ...row };
      actions.push({ rk, action: current ? ["update", entity, "Merge", { etag: current.etag }] : ["create", entity] });
    });
    const retry = new Set<string>();
    for (let i = 0; i < actions.length; i += 100) {
      const chunk = actions.slice(i, i + 100);
      try {
        await ledger.tasks.submitTransaction(chunk.map((a) => a.action));
      } catch (err) {
        // Someone wrote one of these rows meanwhile: read again and decide again.
        if (!conflict(err) || attempt >= ATTEMPTS) throw err;
        for (const a of chunk) retry.add(a.rk);
      }
    }
    todo = todo.filter(([rk]) => retry.has(rk));
  }
  return rejected;
}

/** Writes the run's row where it is newer than what is stored; false when it was older. */
export async function writeRunIfNewer(ledger: RunLedger, dagId: string, runId: string, row: VersionedRunRow): Promise<boolean> {
  await ledger.ensureTables();
  const pk = toKey(dagId);
  const rk = toKey(runId);
  for (let attempt = 1; ; attempt++) {
    const current = await readRow(ledger.runs, pk, rk);
    if (current && String(current.version ?? "") >= row.version) return false;
    const entity: TableEntity = { partitionKey: pk, rowKey: rk, dag_id: dagId, dag_run_id: runId, ...row, ...(row.conf ? { conf: JSON.stringify(row.conf) } : {}) };
    try {
      if (current) await ledger.runs.updateEntity(entity, "Merge", { etag: current.etag });
      else await ledger.runs.createEntity(entity);
      return true;
    } catch (err) {
      if (!conflict(err) || attempt >= ATTEMPTS) throw err;
    }
  }
}
