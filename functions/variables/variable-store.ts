// Airflow Variables: key/value pairs in Table Storage (the API's /variables), plus read-only
// values from `AIRFLOW_VAR_<KEY>` settings, which win over stored ones as Airflow's environment
// backend comes before its metastore. Read by the REST API and by activities for `{{ var.* }}`.
import { RestError, type TableClient } from "@azure/data-tables";
import { appTableClient } from "../hooks/app-storage";
import { toKey } from "../ledger/table-keys";

export const VARIABLES_TABLE = "azflowVariables";
const PARTITION = "variable";
const ENV_PREFIX = "AIRFLOW_VAR_";

export interface VariableRecord {
  key: string;
  value: string;
  description: string | null;
  /** Set by an AIRFLOW_VAR_ setting: the API can read it but not change it. */
  readOnly: boolean;
}

function isNotFound(err: unknown): boolean {
  return err instanceof RestError && err.statusCode === 404;
}

/** Variables from settings. Airflow looks them up by upper-cased key; they list in lower case. */
export function settingVariables(env: Record<string, string | undefined> = process.env): VariableRecord[] {
  return Object.entries(env)
    .filter(([name, value]) => name.startsWith(ENV_PREFIX) && name.length > ENV_PREFIX.length && value !== undefined)
    .map(([name, value]) => ({ key: name.slice(ENV_PREFIX.length).toLowerCase(), value: value!, description: null, readOnly: true }));
}

export function settingVariable(key: string, env: Record<string, string | undefined> = process.env): VariableRecord | undefined {
  const value = env[`${ENV_PREFIX}${key.toUpperCase()}`];
  return value === undefined ? undefined : { key, value, description: null, readOnly: true };
}

export class VariableStore {
  private ready: Promise<void> | undefined;

  constructor(private readonly table: TableClient = appTableClient(VARIABLES_TABLE)) {}

  private ensureTable(): Promise<void> {
    this.ready ??= this.table.createTable().then(() => undefined, (err: unknown) => {
      this.ready = undefined;
      throw err;
    });
    return this.ready;
  }

  /** A variable by key: a setting's value first, then the stored one. */
  async get(key: string): Promise<VariableRecord | undefined> {
    const fromSetting = settingVariable(key);
    if (fromSetting) return fromSetting;
    await this.ensureTable();
    try {
      const e = await this.table.getEntity<{ key: string; value: string; description?: string }>(PARTITION, toKey(key));
      return { key: e.key, value: e.value, description: e.description ?? null, readOnly: false };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Every variable, settings first where a key is in both. */
  async list(): Promise<VariableRecord[]> {
    await this.ensureTable();
    const byKey = new Map<string, VariableRecord>();
    for await (const e of this.table.listEntities<{ key: string; value: string; description?: string }>({ queryOptions: { filter: `PartitionKey eq '${PARTITION}'` } })) {
      byKey.set(e.key, { key: e.key, value: e.value, description: e.description ?? null, readOnly: false });
    }
    for (const v of settingVariables()) byKey.set(v.key, v);
    return [...byKey.values()];
  }

  /** The key/value map templates read (`var.value.x`). */
  async values(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const v of await this.list()) out[v.key] = v.value;
    // A setting answers to its key in any case Airflow would upper-case to its name.
    for (const v of settingVariables()) out[v.key.toUpperCase()] = v.value;
    return out;
  }

  async put(key: string, value: string, description: string | null): Promise<void> {
    await this.ensureTable();
    await this.table.upsertEntity({ partitionKey: PARTITION, rowKey: toKey(key), key, value, ...(description !== null ? { description } : {}) }, "Replace");
  }

  /** False when there was nothing to delete. */
  async delete(key: string): Promise<boolean> {
    await this.ensureTable();
    try {
      await this.table.deleteEntity(PARTITION, toKey(key));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }
}

let store: VariableStore | undefined;

export function appVariableStore(): VariableStore {
  store ??= new VariableStore();
  return store;
}
