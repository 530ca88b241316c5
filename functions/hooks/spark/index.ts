// The Spark hook: a backend per connection id (spark_default), chosen by the connection as
// Airflow's spark connection chooses the master: `local[*]` or `spark://host:port` run
// spark-submit here; a Livy URL (Synapse, `conn_type` livy) goes through the batch REST API.
import { getConnection, type Connection } from "../connection";
import { registerConnectionSecrets } from "../secret-mask";
import { livyBackend, SYNAPSE_SCOPE } from "./livy-backend";
import { defaultSparkLogDir, localSparkBackend } from "./local-backend";
import type { SparkBackend, SparkJobHandle } from "./spark-job";

export type { SparkBackend, SparkJobHandle, SparkJobSpec, SparkJobState, SparkJobStatus } from "./spark-job";

const backends = new Map<string, SparkBackend>();

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === "string" && value.trim()) return value.split(",").map((v) => v.trim()).filter(Boolean);
  return [];
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

function livyUrl(conn: Connection): string | null {
  const { workspace, spark_pool: pool } = conn.extra as Record<string, string | undefined>;
  if (workspace && pool) return `https://${workspace}.dev.azuresynapse.net/livyApi/versions/2019-11-01-preview/sparkPools/${pool}`;
  const host = conn.host ?? "";
  // The pool's URL in host, as the JSON form of the connection holds it.
  if (/^https?:\/\//.test(host)) return host.replace(/\/+$/, "");
  return null;
}

/** The backend a connection describes. */
export function sparkBackendFor(conn: Connection): SparkBackend {
  const extra = conn.extra;
  const url = livyUrl(conn);
  if (conn.connType === "livy" || url) {
    if (!url) throw new Error(`Connection '${conn.connId}' is a Livy connection without a URL: set host to the pool's Livy URL, or extra.workspace and extra.spark_pool.`);
    const auth = String(extra.auth ?? "entra");
    return livyBackend({
      url,
      scope: auth === "none" ? null : String(extra.scope ?? SYNAPSE_SCOPE),
      secretsDir: typeof extra.secrets_dir === "string" ? extra.secrets_dir : undefined,
      defaults: {
        driverMemory: extra.driver_memory as string | undefined, driverCores: extra.driver_cores as number | undefined,
        executorMemory: extra.executor_memory as string | undefined, executorCores: extra.executor_cores as number | undefined,
        numExecutors: extra.num_executors as number | undefined,
      },
      conf: stringRecord(extra.conf),
    });
  }
  const host = conn.host ?? "local[*]";
  const master = host.startsWith("spark://") && conn.port && !/:\d+$/.test(host) ? `${host}:${conn.port}` : host;
  if (!/^(local(\[[\d*]+\])?|spark:\/\/.+|yarn|k8s:\/\/.+)$/.test(master)) {
    throw new Error(`Connection '${conn.connId}': '${master}' is not a Spark master (local[*], spark://host:port, yarn) nor a Livy URL.`);
  }
  return localSparkBackend({
    master,
    sparkSubmit: String(extra.spark_submit ?? extra["spark-binary"] ?? "spark-submit"),
    deployMode: typeof extra["deploy-mode"] === "string" ? extra["deploy-mode"] : undefined,
    jars: list(extra.jars),
    conf: stringRecord(extra.conf),
    python: typeof extra.python === "string" ? extra.python : undefined,
    logDir: typeof extra.log_dir === "string" ? extra.log_dir : defaultSparkLogDir(),
  });
}

export function sparkBackend(connId = "spark_default"): SparkBackend {
  let backend = backends.get(connId);
  if (!backend) {
    const conn = getConnection(connId);
    registerConnectionSecrets(conn);
    backend = sparkBackendFor(conn);
    backends.set(connId, backend);
  }
  return backend;
}

/** Handles are stored as JSON (task instance, follow-up config); this reads one back. */
export function parseJobHandle(value: unknown): SparkJobHandle {
  const h = (typeof value === "string" ? JSON.parse(value) : value) as SparkJobHandle;
  if (!h || typeof h !== "object" || (h.backend !== "local" && h.backend !== "livy")) throw new Error("Not a Spark job handle.");
  return h;
}
