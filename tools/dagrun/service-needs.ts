// Which local services a command needs: Azurite when AzureWebJobsStorage (the run ledger) is the
// local Azurite, and a service for each connection a DAG's tasks use that points at one of the
// local services' ports (the local runtime points the shipped default connections there). Settings
// aimed elsewhere (a real storage account, a remote Postgres) need nothing started.
import type { CompiledDag, CompiledTask } from "../../orchestrations/runtime/model/compiled-dag";
import { ConnectionError, getConnection, type Connection } from "../../functions/hooks/connection";
import type { ServiceNeed } from "../services/auto-start";
import { SERVICES } from "../services/registry";
import type { ServiceName } from "../services/service";
import type { ServiceSettings } from "../services/settings";

/**
 * Each operator's connection fields and the id each defaults to when the config leaves it out
 * (the defaults its activity applies). A test checks that every registered operator is listed.
 */
export const OPERATOR_CONNECTION_FIELDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  empty: {},
  bash: {},
  python: {},
  sql: { conn_id: "postgres_default" },
  sql_sensor: { conn_id: "postgres_default" },
  sql_check: { conn_id: "postgres_default" },
  http: { conn_id: "http_default" },
  http_sensor: { conn_id: "http_default" },
  http_to_blob: { conn_id: "http_default", blob_conn_id: "wasb_default" },
  blob_create_containers: { conn_id: "wasb_default" },
  blob_upload: { conn_id: "wasb_default" },
  blob_list: { conn_id: "wasb_default" },
  blob_copy: { conn_id: "wasb_default" },
  blob_move: { conn_id: "wasb_default" },
  blob_prefix_sensor: { conn_id: "wasb_default" },
  parquetize: { conn_id: "wasb_default" },
  postgres_copy: { conn_id: "postgres_default", blob_conn_id: "wasb_default" },
  postgres_copy_json: { conn_id: "postgres_default", blob_conn_id: "wasb_default" },
  postgres_load_parquet: { conn_id: "postgres_default", blob_conn_id: "wasb_default" },
  kafka_produce: { conn_id: "kafka_default" },
  kafka_load: { conn_id: "kafka_default", postgres_conn_id: "postgres_default", blob_conn_id: "wasb_default" },
  spark_submit: { conn_id: "spark_default" },
  spark_job_status: { conn_id: "spark_default" },
  spark_job_cancel: { conn_id: "spark_default" },
  once_per_day_branch: {},
  trigger_dag_run: {},
  dag_run_state_sensor: {},
  external_task_sensor: {},
  time_delta_sensor: {},
};

/**
 * A python task's callable is code the CLI cannot read: it counts as using the Postgres hook's
 * default connection, which the shipped callables and most task code reach for.
 */
const CALLABLE_CONNECTIONS = ["postgres_default"];

interface Endpoint {
  host: string;
  port: number;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\./.test(h);
}

function endpointOfUrl(text: string): Endpoint | undefined {
  try {
    const url = new URL(text);
    const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
    return { host: url.hostname, port };
  } catch {
    return undefined;
  }
}

function endpointOfHostPort(text: string): Endpoint | undefined {
  const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d+)\s*$/.exec(text);
  return m ? { host: m[1], port: Number(m[2]) } : undefined;
}

/** Where an Azure Storage connection string sends requests (UseDevelopmentStorage=true is Azurite's default ports). */
export function storageEndpoints(connectionString: string): Endpoint[] {
  const pairs = new Map<string, string>();
  for (const part of connectionString.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0) pairs.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (/^true$/i.test(pairs.get("usedevelopmentstorage") ?? "")) {
    return [10000, 10001, 10002].map((port) => ({ host: "127.0.0.1", port }));
  }
  return ["blobendpoint", "queueendpoint", "tableendpoint"].flatMap((key) => {
    const e = pairs.has(key) ? endpointOfUrl(pairs.get(key)!) : undefined;
    return e ? [e] : [];
  });
}

/** The host:port pairs a connection points at, whatever its type keeps them in. */
export function connectionEndpoints(conn: Connection): Endpoint[] {
  const out: Endpoint[] = [];
  if (conn.host) {
    const url = /^[a-z][a-z0-9+.-]*:\/\//i.test(conn.host) ? endpointOfUrl(conn.host) : undefined;
    if (url) out.push(conn.port ? { ...url, port: conn.port } : url);
    else if (conn.port) out.push({ host: conn.host, port: conn.port });
    else {
      const hostPort = endpointOfHostPort(conn.host);
      if (hostPort) out.push(hostPort);
    }
  }
  const cs = conn.extra.connection_string;
  if (typeof cs === "string") out.push(...storageEndpoints(cs));
  const brokers = conn.extra["bootstrap.servers"] ?? conn.extra.bootstrap_servers;
  const list = Array.isArray(brokers) ? brokers.map(String) : typeof brokers === "string" ? brokers.split(",") : [];
  for (const broker of list) {
    const e = endpointOfHostPort(broker);
    if (e) out.push(e);
  }
  return out;
}

/** The local services listening where these endpoints point. */
function servicesAt(endpoints: readonly Endpoint[], s: ServiceSettings): ServiceName[] {
  const local = endpoints.filter((e) => isLoopback(e.host));
  return SERVICES.filter((svc) => svc.ports(s).some(({ port }) => local.some((e) => e.port === port))).map((svc) => svc.name);
}

/** Azurite, when the app's storage (the run ledger, task logs, large XComs) is the local one. */
export function ledgerNeeds(s: ServiceSettings, env: NodeJS.ProcessEnv = process.env): ServiceNeed[] {
  const storage = env.AzureWebJobsStorage ?? "";
  return servicesAt(storageEndpoints(storage), s).map((service) => ({ service, reason: "the run ledger" }));
}

/** The local services one connection points at; a connection that cannot be read needs nothing (the task will say why). */
export function connectionNeeds(connId: string, s: ServiceSettings, env: NodeJS.ProcessEnv = process.env): ServiceNeed[] {
  let conn: Connection;
  try {
    conn = getConnection(connId, env);
  } catch (err) {
    if (err instanceof ConnectionError) return [];
    throw err;
  }
  const reason = `connection ${connId}`;
  const needs: ServiceNeed[] = servicesAt(connectionEndpoints(conn), s).map((service) => ({ service, reason }));
  // Spark runs per job: a local master needs the PySpark venv and jars, not a process.
  if (conn.connType === "spark" && /^local(\[[^\]]*\])?$/.test(conn.host ?? "")) needs.push({ service: "spark", reason });
  return needs;
}

/**
 * Connection ids a config names: every `conn_id` or `*_conn_id` string and every entry of a
 * `conn_ids` list (the connections a Spark job is handed) that is not a template.
 */
function namedConnections(value: unknown, out: Set<string>): void {
  if (Array.isArray(value)) for (const v of value) namedConnections(v, out);
  else if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if ((key === "conn_id" || key.endsWith("_conn_id")) && typeof v === "string" && !v.includes("{{")) out.add(v);
      else if (key === "conn_ids" && Array.isArray(v)) for (const id of v) if (typeof id === "string" && !id.includes("{{")) out.add(id);
      else namedConnections(v, out);
    }
  }
}

/** The connection ids a task uses: the ones its config names, and its operator's defaults for fields it leaves out. */
export function taskConnectionIds(task: CompiledTask): string[] {
  const ids = new Set<string>();
  namedConnections(task.config, ids);
  namedConnections(task.mapping, ids);
  const config = task.config && typeof task.config === "object" && !Array.isArray(task.config) ? task.config : {};
  for (const [field, id] of Object.entries(OPERATOR_CONNECTION_FIELDS[task.operator] ?? {})) if (config[field] === undefined) ids.add(id);
  if (task.operator === "python") CALLABLE_CONNECTIONS.forEach((id) => ids.add(id));
  return [...ids].sort();
}

/**
 * What running these tasks (all of a DAG's when `taskIds` is omitted) needs, with every task of the
 * DAGs they trigger (TriggerDagRun: a triggered run runs in the same process under `dags test`).
 */
export function dagNeeds(
  runs: readonly { dag: CompiledDag; taskIds?: readonly string[] }[],
  lookup: (dagId: string) => CompiledDag | undefined,
  s: ServiceSettings,
  env: NodeJS.ProcessEnv = process.env,
): ServiceNeed[] {
  const tasks: CompiledTask[] = [];
  const visited = new Set<string>();
  const add = (own: readonly CompiledTask[]): void => {
    tasks.push(...own);
    for (const task of own) {
      const target = task.operator === "trigger_dag_run" ? (task.config as { trigger_dag_id?: unknown }).trigger_dag_id : undefined;
      const child = typeof target === "string" && !visited.has(target) ? lookup(target) : undefined;
      if (!child) continue;
      visited.add(child.dagId);
      add(Object.values(child.tasks));
    }
  };
  for (const { dag, taskIds } of runs) {
    if (!taskIds) visited.add(dag.dagId);
    add(taskIds ? taskIds.flatMap((id) => (dag.tasks[id] ? [dag.tasks[id]] : [])) : Object.values(dag.tasks));
  }
  const ids = new Set(tasks.flatMap(taskConnectionIds));
  return [...ids].sort().flatMap((id) => connectionNeeds(id, s, env));
}
