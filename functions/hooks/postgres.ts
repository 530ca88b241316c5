// The Postgres hook: one pool per connection id, built on first use inside an activity.
import { Pool, PoolClient, PoolConfig } from "pg";
import { Connection, ConnectionError, connectionSettingName, getConnection } from "./connection";
import { registerConnectionSecrets } from "./secret-mask";
import { accessToken } from "./azure-credential";

/** Azure Database for PostgreSQL accepts an Entra token as the password. */
export const POSTGRES_ENTRA_SCOPE = "https://ossrdbms-aad.database.windows.net/.default";
const pools = new Map<string, Pool>();

export function postgresPoolConfig(conn: Connection): PoolConfig {
  const extra = conn.extra;
  const entra = extra.azure_ad === true || extra.azure_ad === "true" || extra.auth === "entra";
  const sslmode = typeof extra.sslmode === "string" ? extra.sslmode : undefined;
  if (entra && !conn.login) {
    throw new ConnectionError(`Connection '${conn.connId}' (${connectionSettingName(conn.connId)}) uses Entra auth but names no login: set it to the Postgres role of the app's identity.`);
  }
  return {
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? 5432,
    user: conn.login ?? undefined,
    database: conn.schema ?? undefined,
    // A function: pg calls it for each new physical connection, and the token cache hands out one
    // with minutes to live, renewed before it expires. Postgres checks it only at login, so pooled
    // connections stay valid after the token they opened with has expired.
    password: entra ? async () => (await accessToken(POSTGRES_ENTRA_SCOPE, `PostgreSQL (${connectionSettingName(conn.connId)})`)).token : conn.password ?? undefined,
    ssl: sslmode && sslmode !== "disable" && sslmode !== "allow" && sslmode !== "prefer"
      ? { rejectUnauthorized: sslmode === "verify-full" || sslmode === "verify-ca" }
      : undefined,
    max: Number(extra.pool_size ?? 4),
    idleTimeoutMillis: 10_000,
    application_name: "azflow",
  };
}

export function postgresPool(connId = "postgres_default"): Pool {
  let pool = pools.get(connId);
  if (!pool) {
    const conn = getConnection(connId);
    if (conn.connType !== null && conn.connType !== "postgres") {
      throw new Error(`Connection '${connId}' has type '${conn.connType}', expected postgres.`);
    }
    registerConnectionSecrets(conn);
    pool = new Pool(postgresPoolConfig(conn));
    // An idle client's error must not crash the worker; the next checkout reconnects.
    pool.on("error", () => undefined);
    pools.set(connId, pool);
  }
  return pool;
}

/** Run `work` in one transaction: committed when it resolves, rolled back when it throws. */
export async function inTransaction<T>(connId: string, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await postgresPool(connId).connect();
  try {
    await client.query("BEGIN");
    const result = await work(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

export async function closePostgresPools(): Promise<void> {
  const all = [...pools.values()];
  pools.clear();
  await Promise.all(all.map((p) => p.end().catch(() => undefined)));
}
