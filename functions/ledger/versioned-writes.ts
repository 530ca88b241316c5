// Conditional writes to the run ledger. Every row the orchestrator decides carries a version
// (see ledgerVersion); a row is replaced only by a higher version, checked against the stored
// row's ETag, so rows that arrive out of order (two activities carrying decisions, a late or
// repeated attempt) never undo a later decision. Rows without a version (created with the run,
// or by older code) count as the lowest.
import { odata, RestError, type TableClient, type TableEntity, type TransactionAction } from "@azure/data-tables";
import type { DagRunRecord, TaskInstanceRecord } from "./records";
import { forgetRow, knownRow, rememberRow, transactionEtags } from "./row-etags";
import { taskPartition, taskRowKey, type RunLedger } from "./run-ledger";
import { toKey } from "./table-keys";

export type VersionedTaskRow = Partial<TaskInstanceRecord> & { task_id: string; map_index: number; version: string };
export type VersionedRunRow = Partial<DagRunRecord> & { version: string };

const ATTEMPTS = 6;
/** Table storage allows at most 15 comparisons in a filter: the partition key and 14 row keys. */
const FILTER_KEYS = 14;
/** Above this many rows, one scan of the partition reads fewer pages than filtered queries. */
const SCAN_ABOVE = FILTER_KEYS * 4;

/** Someone wrote a row meanwhile. */
function conflict(err: unknown): boolean {
  return err instanceof RestError && (err.statusCode === 409 || err.statusCode === 412);
}

/** An update conditional on a remembered ETag found the row deleted meanwhile (cleared, rerun). */
function gone(err: unknown): boolean {
  return err instanceof RestError && err.statusCode === 404 && err.code === "ResourceNotFound";
}

interface StoredRow {
  etag?: string;
  version?: unknown;
}

async function readRow(table: TableClient, pk: string, rk: string): Promise<StoredRow | undefined> {
  try {
    return await table.getEntity<{ version?: unknown }>(pk, rk);
  } catch (err) {
    if (err instanceof RestError && err.statusCode === 404) return undefined;
    throw err;
  }
}

/** The stored ETag and version of each row: one read for one row, else queries returning only those. */
async function readRows(table: TableClient, pk: string, rks: string[]): Promise<Map<string, StoredRow>> {
  const out = new Map<string, StoredRow>();
  if (!rks.length) return out;
  if (rks.length === 1) {
    const row = await readRow(table, pk, rks[0]);
    if (row) out.set(rks[0], row);
    return out;
  }
  const wanted = new Set(rks);
  const query = async (filter: string): Promise<void> => {
    for await (const e of table.listEntities<{ version?: unknown }>({ queryOptions: { filter, select: ["RowKey", "version"] } })) {
      if (wanted.has(e.rowKey!)) out.set(e.rowKey!, { etag: e.etag, version: e.version });
    }
  };
  if (rks.length > SCAN_ABOVE) {
    await query(odata`PartitionKey eq ${pk}`);
  } else {
    const chunks: string[][] = [];
    for (let i = 0; i < rks.length; i += FILTER_KEYS) chunks.push(rks.slice(i, i + FILTER_KEYS));
    await Promise.all(chunks.map((c) => query(`${odata`PartitionKey eq ${pk}`} and (${c.map((rk) => odata`RowKey eq ${rk}`).join(" or ")})`)));
  }
  return out;
}

/** One caller's rows, merged per row: the newest version wins, its fields laid over the older ones'. */
function mergeByRow(rows: VersionedTaskRow[]): Map<string, VersionedTaskRow> {
  const byRow = new Map<string, VersionedTaskRow>();
  for (const r of rows) {
    const key = taskRowKey(r.task_id, r.map_index);
    const prev = byRow.get(key);
    byRow.set(key, !prev ? r : r.version >= prev.version ? { ...prev, ...r } : { ...r, ...prev });
  }
  return byRow;
}

interface Caller {
  rows: Map<string, VersionedTaskRow>;
  rejected: Set<string>;
  resolve: (rejected: Set<string>) => void;
  reject: (err: unknown) => void;
}

interface PartitionQueue {
  writing: boolean;
  waiting: Caller[];
}

// The activities of one run that a worker executes at once write into the same partition: while
// one group of their writes is on its way, the next callers wait and then go out together, so a
// fan-out costs a read and a transaction per group instead of per task.
const queues = new WeakMap<RunLedger, Map<string, PartitionQueue>>();

/**
 * Writes task-instance rows of one run where they are newer than what is stored. Returns the
 * `task_id#map_index` keys of rows that were older than the stored ones (and so not written).
 */
export function writeTaskRowsIfNewer(ledger: RunLedger, dagId: string, runId: string, rows: VersionedTaskRow[]): Promise<Set<string>> {
  if (!rows.length) return Promise.resolve(new Set());
  const partitionKey = taskPartition(dagId, runId);
  let byPartition = queues.get(ledger);
  if (!byPartition) queues.set(ledger, (byPartition = new Map()));
  let queue = byPartition.get(partitionKey);
  if (!queue) byPartition.set(partitionKey, (queue = { writing: false, waiting: [] }));
  const q = queue;
  const done = new Promise<Set<string>>((resolve, reject) => q.waiting.push({ rows: mergeByRow(rows), rejected: new Set(), resolve, reject }));
  if (!q.writing) void drain(ledger, dagId, runId, partitionKey, q, byPartition);
  return done;
}

async function drain(ledger: RunLedger, dagId: string, runId: string, pk: string, q: PartitionQueue, byPartition: Map<string, PartitionQueue>): Promise<void> {
  q.writing = true;
  while (q.waiting.length) {
    const callers = q.waiting.splice(0);
    try {
      await writeGroup(ledger, dagId, runId, pk, callers);
      for (const c of callers) c.resolve(c.rejected);
    } catch (err) {
      for (const c of callers) c.reject(err);
    }
  }
  q.writing = false;
  byPartition.delete(pk);
}

async function writeGroup(ledger: RunLedger, dagId: string, runId: string, pk: string, callers: Caller[]): Promise<void> {
  await ledger.ensureTables();
  // Between callers a row is not merged: the newest caller's row is written, an older one is refused
  // as a lone write of it would be.
  const rows = new Map<string, { row: VersionedTaskRow; owners: Caller[] }>();
  const refuse = (c: Caller, row: VersionedTaskRow) => c.rejected.add(`${row.task_id}#${row.map_index}`);
  for (const c of callers) {
    for (const [rk, row] of c.rows) {
      const prev = rows.get(rk);
      if (!prev) rows.set(rk, { row, owners: [c] });
      else if (row.version > prev.row.version) {
        for (const o of prev.owners) refuse(o, prev.row);
        rows.set(rk, { row, owners: [c] });
      } else if (row.version === prev.row.version) prev.owners.push(c);
      else refuse(c, row);
    }
  }
  let todo = [...rows.keys()];
  for (let attempt = 1; todo.length; attempt++) {
    // A row this process wrote last and ours is newer than: no read, the write is conditional on
    // its ETag. Anything else (a refusal too) is decided on what is stored.
    const known = new Map<string, StoredRow>();
    if (attempt === 1) {
      for (const rk of todo) {
        const k = knownRow(ledger.tasks, pk, rk);
        if (k && k.version < rows.get(rk)!.row.version) known.set(rk, k);
      }
    }
    const stored = await readRows(ledger.tasks, pk, todo.filter((rk) => !known.has(rk)));
    const actions: { rk: string; action: TransactionAction }[] = [];
    for (const rk of todo) {
      const { row, owners } = rows.get(rk)!;
      const current = known.get(rk) ?? stored.get(rk);
      if (current && String(current.version ?? "") >= row.version) {
        for (const o of owners) refuse(o, row);
        continue;
      }
      const entity = { partitionKey: pk, rowKey: rk, dag_id: dagId, dag_run_id: runId, ...row };
      actions.push({ rk, action: current ? ["update", entity, "Merge", { etag: current.etag }] : ["create", entity] });
    }
    const retry = new Set<string>();
    for (let i = 0; i < actions.length; i += 100) {
      const chunk = actions.slice(i, i + 100);
      try {
        const etags = transactionEtags(await ledger.tasks.submitTransaction(chunk.map((a) => a.action)), chunk.length);
        chunk.forEach((a, j) => {
          const etag = etags[j];
          if (etag) rememberRow(ledger.tasks, pk, a.rk, { etag, version: rows.get(a.rk)!.row.version });
          else forgetRow(ledger.tasks, pk, a.rk);
        });
      } catch (err) {
        // Someone wrote one of these rows meanwhile: read again and decide again.
        for (const a of chunk) forgetRow(ledger.tasks, pk, a.rk);
        if (!(conflict(err) || gone(err)) || attempt >= ATTEMPTS) throw err;
        for (const a of chunk) retry.add(a.rk);
      }
    }
    todo = todo.filter((rk) => retry.has(rk));
  }
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
