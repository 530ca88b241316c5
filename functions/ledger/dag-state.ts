// Per-DAG state Airflow keeps in its dag table and the API can change: is_paused. Stored in Table
// Storage; a DAG without a row takes its initial value from AZFLOW_PAUSED_DAGS. Read by the REST
// API and the schedule timers (a paused DAG's timer creates no runs).
import { RestError, type TableClient } from "@azure/data-tables";
import { appConfig } from "../config";
import { appTableClient } from "../hooks/app-storage";
import { toKey } from "./table-keys";

export const DAG_STATE_TABLE = "azflowDagState";
const PARTITION = "dag";

export class DagStateStore {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly table: TableClient = appTableClient(DAG_STATE_TABLE),
    private readonly initiallyPaused: () => readonly string[] = () => appConfig().pausedDags,
  ) {}

  private ensureTable(): Promise<void> {
    this.ready ??= this.table.createTable().then(() => undefined, (err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /** is_paused of every DAG id given, in one read of the table. */
  async pausedStates(dagIds: readonly string[]): Promise<Map<string, boolean>> {
    await this.ensureTable();
    const stored = new Map<string, boolean>();
    for await (const e of this.table.listEntities<{ dag_id: string; is_paused: boolean }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
      stored.set(e.dag_id, e.is_paused === true);
    }
    const initial = new Set(this.initiallyPaused());
    return new Map(dagIds.map((id) => [id, stored.get(id) ?? initial.has(id)]));
  }

  async isPaused(dagId: string): Promise<boolean> {
    await this.ensureTable();
    try {
      const e = await this.table.getEntity<{ is_paused: boolean }>(PARTITION, toKey(dagId));
      return e.is_paused === true;
    } catch (err) {
      if (err instanceof RestError && err.statusCode === 404) return this.initiallyPaused().includes(dagId);
      throw err;
    }
  }

  async setPaused(dagId: string, paused: boolean): Promise<void> {
    await this.ensureTable();
    await this.table.upsertEntity({ partitionKey: PARTITION, rowKey: toKey(dagId), dag_id: dagId, is_paused: paused }, "Merge");
  }
}

let store: DagStateStore | undefined;

export function appDagStateStore(): DagStateStore {
  store ??= new DagStateStore();
  return store;
}
