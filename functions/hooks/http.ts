// The HTTP hook (Airflow's HttpHook): base URL from the connection, basic auth from login and
// password, default headers from extra. Requests stream; nothing is buffered beyond what a caller reads.
import { Connection, getConnection } from "./connection";
import { registerConnectionSecrets } from "./secret-mask";

export interface HttpTarget {
  baseUrl: string;
  headers: Record<string, string>;
}

export function httpTargetFor(conn: Connection): HttpTarget {
  const host = conn.host ?? "";
  if (!host) throw new Error(`Connection '${conn.connId}' has no host.`);
  // Airflow: a host with its own scheme wins; otherwise the schema field names the scheme.
  let base = /^https?:\/\//.test(host) ? host : `${conn.schema || "http"}://${host}`;
  if (conn.port) {
    const u = new URL(base);
    u.port = String(conn.port);
    base = u.toString();
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(conn.extra)) if (typeof v === "string") headers[k] = v;
  if (conn.login) {
    headers.Authorization = `Basic ${Buffer.from(`${conn.login}:${conn.password ?? ""}`).toString("base64")}`;
  }
  return { baseUrl: base.replace(/\/+$/, ""), headers };
}

export function httpTarget(connId: string): HttpTarget {
  const conn = getConnection(connId);
  registerConnectionSecrets(conn);
  return httpTargetFor(conn);
}

/** The URL for an endpoint under the connection's base, as HttpHook joins them. */
export function endpointUrl(target: HttpTarget, endpoint: string): string {
  if (/^https?:\/\//.test(endpoint)) return endpoint;
  return `${target.baseUrl}/${endpoint.replace(/^\/+/, "")}`;
}
