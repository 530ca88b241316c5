// The run ledger: Airflow's metadata DB (dag runs and task instances) in Table Storage. Written by
// the activity wrapper and the DAG orchestrator's bookkeeping activities; read by the REST API,
// the CLI, depends_on_past, ExternalTaskSensor and the once-per-day branch helper.
import { TableClient, RestError } from "@azure/data-tables";
import { appTableClient } from "../hooks/app-storage";
import { comparePrecise, parsePreciseInstant } from "./precise-instant";
import { DagRunRecord, TaskInstanceRecord } from "./records";
import { rememberRow, transactionEtags } from "./row-etags";
import { fromKey, mapIndexKey, toKey } from "./table-keys";

export const DAG_RUNS_TABLE = "azflowDagRuns";
export const TASK_INSTANCES_TABLE = "azflowTaskInstances";

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

function quote(text: string): string {
  return text.replace(/'/g, "''");
}

function isNotFound(err: unknown): boolean {
  return err instanceof RestError && err.statusCode === 404;
}

/**
 * Rows of the runs table that index a run by logical date. toKey never yields "!" (it is
 * percent-encoded), so these rows cannot collide with a run id.
 */
const INDEX_ROW_PREFIX = "!logical_date!";

/** Epoch milliseconds, and the microseconds within them when there are any (older rows have none). */
function logicalDateKey(logicalDate: string): string {
  const at = parsePreciseInstant(logicalDate, { naiveAsUtc: true });
  return `${INDEX_ROW_PREFIX}${String(at.ms).padStart(15, "0")}${at.micros ? `.${String(at.micros).padStart(3, "0")}` : ""}`;
}

/** Fields a row holds that are not stored as given: the service keeps the update time itself. */
function storable<T extends { updated_at?: string }>(record: T): Omit<T, "updated_at"> {
  const { updated_at: _updated, ...rest } = record;
  return rest;
}

function dagRunEntity(run: DagRunRecord): Entity {
  return { partitionKey: toKey(run.dag_id), rowKey: toKey(run.dag_run_id), ...storable(run), conf: JSON.stringify(run.conf) };
}

function dagRunFrom(e: Record<string, unknown>): DagRunRecord {
  const str = (k: string): string | null => (typeof e[k] === "string" ? (e[k] as string) : null);
  return {
    dag_id: String(e.dag_id),
    dag_run_id: String(e.dag_run_id),
    instance_id: String(e.instance_id),
    logical_date: String(e.logical_date),
    data_interval_start: str("data_interval_start"),
    data_interval_end: str("data_interval_end"),
    run_type: String(e.run_type) as DagRunRecord["run_type"],
    state: String(e.state) as DagRunRecord["state"],
    external_trigger: e.external_trigger === true,
    conf: typeof e.conf === "string" ? (JSON.parse(e.conf) as Record<string, unknown>) : {},
    note: str("note"),
    queued_at: str("queued_at"),
    start_date: str("start_date"),
    end_date: str("end_date"),
    ...(str("timestamp") !== null ? { updated_at: str("timestamp")! } : {}),
    ...(e.ended_by === "api" || e.ended_by === "reconcile" ? { ended_by: e.ended_by } : {}),
  };
}

function durationOf(start: string | null, end: string | null): number | null {
  if (!start || !end) return null;
  return Math.max(0, (Date.parse(end) - Date.parse(start)) / 1000);
}

export function taskPartition(dagId: string, runId: string): string {
  return `${toKey(dagId)}~${toKey(runId)}`;
}

function taskEntity(ti: TaskInstanceRecord): Entity {
  return {
    partitionKey: taskPartition(ti.dag_id, ti.dag_run_id),
    rowKey: taskRowKey(ti.task_id, ti.map_index),
    ...storable(ti),
  };
}

function taskFrom(e: Record<string, unknown>): TaskInstanceRecord {
  const str = (k: string): string | null => (typeof e[k] === "string" ? (e[k] as string) : null);
  const num = (k: string): number | null => (typeof e[k] === "number" ? (e[k] as number) : null);
  return {
    dag_id: String(e.dag_id),
    dag_run_id: String(e.dag_run_id),
    task_id: String(e.task_id),
    map_index: num("map_index") ?? -1,
    state: str("state") as TaskInstanceRecord["state"],
    try_number: num("try_number") ?? 0,
    max_tries: num("max_tries") ?? 0,
    operator: String(e.operator ?? ""),
    start_date: str("start_date"),
    end_date: str("end_date"),
    duration: num("duration") ?? durationOf(str("start_date"), str("end_date")),
    error: str("error"),
    xcom: str("xcom"),
    // Optional fields are present only when set.
    ...(str("hostname") !== null ? { hostname: str("hostname")! } : {}),
    ...(str("sla_missed_deadline") !== null ? { sla_missed_deadline: str("sla_missed_deadline")! } : {}),
    ...(str("note") !== null ? { note: str("note")! } : {}),
    ...(str("rendered_fields") !== null ? { rendered_fields: str("rendered_fields")! } : {}),
    ...(str("timestamp") !== null ? { updated_at: str("timestamp")! } : {}),
    // Cleared to "" when the job ends: Table Storage cannot store null.
    ...(str("external_executor_id") ? { external_executor_id: str("external_executor_id")! } : {}),
  };
}

export interface ListOptions {
  limit?: number;
  offset?: number;
  state?: string[];
}

export function taskRowKey(taskId: string, mapIndex: number): string {
  return `${toKey(taskId)}~${mapIndexKey(mapIndex)}`;
}

export class RunLedger {
  private ready: Promise<void> | undefined;

  constructor(
    readonly runs: TableClient = appTableClient(DAG_RUNS_TABLE),
    readonly tasks: TableClient = appTableClient(TASK_INSTANCES_TABLE),
  ) {}

  /** Tables are created once per process; creating an existing table is a no-op. */
  ensureTables(): Promise<void> {
    // A failure is not cached: the next call tries again (storage may have been briefly away).
    this.ready ??= Promise.all([this.runs.createTable(), this.tasks.createTable()]).then(() => undefined, (err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  async putDagRun(run: DagRunRecord): Promise<void> {
    await this.ensureTables();
    await this.runs.upsertEntity(dagRunEntity(run), "Replace");
  }

  /**
   * Inserts the run and its logical-date row in one entity-group transaction: the guard that makes
   * both (dag_id, run_id) and (dag_id, logical_date) unique even when two callers race. Returns
   * false if either existed.
   */
  async createDagRun(run: DagRunRecord): Promise<boolean> {
    await this.ensureTables();
    const index: Entity = { partitionKey: toKey(run.dag_id), rowKey: logicalDateKey(run.logical_date), dag_run_id: run.dag_run_id };
    try {
      await this.runs.submitTransaction([["create", dagRunEntity(run)], ["create", index]]);
      return true;
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 409) return false;
      throw err;
    }
  }

  async updateDagRun(dagId: string, runId: string, patch: Partial<DagRunRecord>): Promise<void> {
    await this.ensureTables();
    const entity: Entity = { partitionKey: toKey(dagId), rowKey: toKey(runId), ...patch };
    if (patch.conf) entity.conf = JSON.stringify(patch.conf);
    await this.runs.updateEntity(entity, "Merge");
  }

  /** A run its orchestration runs again (a clear): queued, and the orchestration's writes count again. */
  async reopenDagRun(dagId: string, runId: string): Promise<void> {
    await this.ensureTables();
    await this.runs.updateEntity({ partitionKey: toKey(dagId), rowKey: toKey(runId), state: "queued", end_date: null, ended_by: "" }, "Merge");
  }

  async getDagRun(dagId: string, runId: string): Promise<DagRunRecord | undefined> {
    await this.ensureTables();
    try {
      return dagRunFrom(await this.runs.getEntity(toKey(dagId), toKey(runId)));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every run of a DAG, oldest logical date first (Airflow's default order). */
  async listDagRuns(dagId: string): Promise<DagRunRecord[]> {
    await this.ensureTables();
    const out: DagRunRecord[] = [];
    const filter = `PartitionKey eq '${toKey(dagId).replace(/'/g, "''")}'`;
    for await (const e of this.runs.listEntities({ queryOptions: { filter } })) {
      if (!e.rowKey?.startsWith(INDEX_ROW_PREFIX)) out.push(dagRunFrom(e));
    }
    return out.sort((a, b) => a.logical_date.localeCompare(b.logical_date) || a.dag_run_id.localeCompare(b.dag_run_id));
  }

  async findDagRunByLogicalDate(dagId: string, logicalDate: string): Promise<DagRunRecord | undefined> {
    await this.ensureTables();
    try {
      const index = await this.runs.getEntity<{ dag_run_id: string }>(toKey(dagId), logicalDateKey(logicalDate));
      const run = await this.getDagRun(dagId, index.dag_run_id);
      if (run) return run;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    // Runs written without createDagRun (started straight through the Durable API) have no
    // index row: look through the runs.
    const target = parsePreciseInstant(logicalDate, { naiveAsUtc: true });
    return (await this.listDagRuns(dagId)).find((r) => comparePrecise(parsePreciseInstant(r.logical_date, { naiveAsUtc: true }), target) === 0);
  }

  async putTaskInstance(ti: TaskInstanceRecord): Promise<void> {
    await this.ensureTables();
    await this.tasks.upsertEntity(taskEntity(ti), "Replace");
  }

  /** Upserts by merge: only the given fields change; the run row is created if missing. */
  async mergeDagRun(dagId: string, runId: string, patch: Partial<DagRunRecord>): Promise<void> {
    await this.ensureTables();
    const entity: Entity = { partitionKey: toKey(dagId), rowKey: toKey(runId), dag_id: dagId, dag_run_id: runId, ...patch };
    if (patch.conf) entity.conf = JSON.stringify(patch.conf);
    await this.runs.upsertEntity(entity, "Merge");
  }

  /**
   * Merges task-instance changes of one run in entity-group transactions (one partition, at most
   * 100 operations each). Changes to the same instance keep their order: the last one wins.
   */
  async mergeTaskInstances(
    dagId: string,
    runId: string,
    patches: (Partial<TaskInstanceRecord> & { task_id: string; map_index: number })[],
  ): Promise<void> {
    if (!patches.length) return;
    await this.ensureTables();
    const partitionKey = taskPartition(dagId, runId);
    // A transaction may touch an entity once: fold repeated changes of one instance first.
    const merged = new Map<string, Entity>();
    for (const p of patches) {
      const rowKey = taskRowKey(p.task_id, p.map_index);
      const entity = merged.get(rowKey) ?? { partitionKey, rowKey, dag_id: dagId, dag_run_id: runId };
      merged.set(rowKey, { ...entity, ...p, partitionKey, rowKey });
    }
    const entities = [...merged.values()];
    for (let i = 0; i < entities.length; i += 100) {
      await this.tasks.submitTransaction(entities.slice(i, i + 100).map((e) => ["upsert", e, "Merge"] as const));
    }
  }

  /**
   * A new run's task-instance rows, inserted so this process knows their ETags (a first write of
   * each then needs no read, see row-etags.ts). Rows already there (left by a run of the same id
   * deleted half-way) are merged instead, as mergeTaskInstances does.
   */
  async createTaskInstances(dagId: string, runId: string, patches: (Partial<TaskInstanceRecord> & { task_id: string; map_index: number })[]): Promise<void> {
    await this.ensureTables();
    const partitionKey = taskPartition(dagId, runId);
    for (let i = 0; i < patches.length; i += 100) {
      const chunk = patches.slice(i, i + 100).map((p) => ({ ...p, partitionKey, rowKey: taskRowKey(p.task_id, p.map_index), dag_id: dagId, dag_run_id: runId }));
      try {
        const etags = transactionEtags(await this.tasks.submitTransaction(chunk.map((e) => ["create", e] as const)), chunk.length);
        // Written without a version: the lowest, as versioned-writes.ts counts it.
        chunk.forEach((e, j) => {
          const etag = etags[j];
          if (etag) rememberRow(this.tasks, partitionKey, e.rowKey, { etag, version: "" });
        });
      } catch (err) {
        if (!(err instanceof RestError && err.statusCode === 409)) throw err;
        await this.mergeTaskInstances(dagId, runId, patches.slice(i, i + 100));
      }
    }
  }

  async listTaskInstances(dagId: string, runId: string): Promise<TaskInstanceRecord[]> {
    return this.queryTaskInstances(`PartitionKey eq '${quote(taskPartition(dagId, runId))}'`);
  }

  /** Every task instance of every run of a DAG. */
  async listDagTaskInstances(dagId: string): Promise<TaskInstanceRecord[]> {
    // Partitions are `<dag>~<run>`; "~" + DEL bounds every run of the DAG.
    const prefix = `${toKey(dagId)}~`;
    return this.queryTaskInstances(`PartitionKey ge '${quote(prefix)}' and PartitionKey lt '${quote(prefix)}\u007f'`);
  }

  /** Every task instance in the ledger (the API's `~` lists). */
  async listAllTaskInstances(): Promise<TaskInstanceRecord[]> {
    return this.queryTaskInstances(undefined);
  }

  private async queryTaskInstances(filter: string | undefined): Promise<TaskInstanceRecord[]> {
    await this.ensureTables();
    const out: TaskInstanceRecord[] = [];
    for await (const e of this.tasks.listEntities(filter ? { queryOptions: { filter } } : {})) out.push(taskFrom(e));
    return out.sort((a, b) => a.task_id.localeCompare(b.task_id) || a.map_index - b.map_index);
  }

  async getTaskInstance(dagId: string, runId: string, taskId: string, mapIndex: number): Promise<TaskInstanceRecord | undefined> {
    await this.ensureTables();
    try {
      return taskFrom(await this.tasks.getEntity(taskPartition(dagId, runId), `${toKey(taskId)}~${mapIndexKey(mapIndex)}`));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deleteTaskInstance(dagId: string, runId: string, taskId: string, mapIndex: number): Promise<void> {
    await this.ensureTables();
    await this.tasks.deleteEntity(taskPartition(dagId, runId), `${toKey(taskId)}~${mapIndexKey(mapIndex)}`).catch((err) => { if (!isNotFound(err)) throw err; });
  }

  /** Removes every instance row of these tasks in a run (before they run again). */
  async deleteTaskInstances(dagId: string, runId: string, taskIds: readonly string[]): Promise<void> {
    const doomed = new Set(taskIds);
    for (const ti of await this.listTaskInstances(dagId, runId)) {
      if (!doomed.has(ti.task_id)) continue;
      const e = taskEntity(ti);
      await this.tasks.deleteEntity(e.partitionKey, e.rowKey).catch((err) => { if (!isNotFound(err)) throw err; });
    }
  }

  async deleteRun(dagId: string, runId: string): Promise<void> {
    await this.ensureTables();
    for (const ti of await this.listTaskInstances(dagId, runId)) {
      const e = taskEntity(ti);
      await this.tasks.deleteEntity(e.partitionKey, e.rowKey).catch((err) => { if (!isNotFound(err)) throw err; });
    }
    const run = await this.getDagRun(dagId, runId);
    if (run) {
      const index = await this.runs.getEntity<{ dag_run_id: string }>(toKey(dagId), logicalDateKey(run.logical_date)).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      // Only this run's own index row: another run may hold the date by now.
      if (index?.dag_run_id === runId) {
        await this.runs.deleteEntity(toKey(dagId), logicalDateKey(run.logical_date)).catch((err) => { if (!isNotFound(err)) throw err; });
      }
    }
    await this.runs.deleteEntity(toKey(dagId), toKey(runId)).catch((err) => { if (!isNotFound(err)) throw err; });
  }

  /**
   * Whether `taskId` of `dagId` succeeded (any run, any map index) with its end in [fromMs, toMs):
   * the once-per-day branch asks this. One range query over the DAG's task partitions, filtered
   * by the server, so it does not read every run of a DAG that runs every few seconds.
   */
  async taskSucceededBetween(dagId: string, taskId: string, fromMs: number, toMs: number): Promise<boolean> {
    await this.ensureTables();
    const prefix = `${toKey(dagId)}~`;
    const quote = (v: string): string => `'${v.replace(/'/g, "''")}'`;
    // "~" is the last printable ASCII character, so every partition of this DAG sorts below the bound.
    const filter = `PartitionKey ge ${quote(prefix)} and PartitionKey lt ${quote(`${toKey(dagId)}\u007f`)}`
      + ` and task_id eq ${quote(taskId)} and state eq 'success'`;
    for await (const e of this.tasks.listEntities({ queryOptions: { filter, select: ["end_date", "dag_id"] } })) {
      if (e.dag_id !== dagId) continue;
      const end = typeof e.end_date === "string" ? Date.parse(e.end_date) : NaN;
      if (end >= fromMs && end < toMs) return true;
    }
    return false;
  }

  /** Records the external job a task instance started (Airflow's external_executor_id). */
  async setExternalExecutorId(dagId: string, runId: string, taskId: string, mapIndex: number, id: string | null): Promise<void> {
    await this.mergeTaskInstances(dagId, runId, [{ task_id: taskId, map_index: mapIndex, external_executor_id: id ?? "" }]);
  }
}

export { fromKey };
