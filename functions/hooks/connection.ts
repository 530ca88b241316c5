// Airflow connections, resolved by id at activity run time from AIRFLOW_CONN_<ID> settings (in
// Azure, Key Vault references). Parsing follows Airflow's own rules so existing URIs and
// `airflow connections export` files work unchanged.
import { DEFAULT_CONNECTIONS } from "./default-connections";
import { registerConnectionSecrets, registerSecret } from "./secret-mask";

export interface Connection {
  connId: string;
  connType: string | null;
  description: string | null;
  host: string | null;
  login: string | null;
  password: string | null;
  schema: string | null;
  port: number | null;
  /** Parsed extra; Airflow stores it as a JSON string. */
  extra: Record<string, unknown>;
}

export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionError";
  }
}

/** The setting that holds a connection: `AIRFLOW_CONN_` plus the id upper-cased. */
export function connectionSettingName(connId: string): string {
  return `AIRFLOW_CONN_${connId.toUpperCase()}`;
}

/** Airflow normalises a URI scheme: dashes become underscores, `postgresql` becomes `postgres`. */
function normaliseConnType(scheme: string): string {
  const type = scheme.replace(/-/g, "_");
  return type === "postgresql" ? "postgres" : type;
}

/**
 * A URI part unquoted as Airflow does (Python's unquote, not unquote_plus: a `+` stays a `+`).
 * A `%` not followed by two hex digits is refused, naming the part but never showing it.
 */
function decode(connId: string, what: string, part: string | undefined | null): string | null {
  if (part === undefined || part === null || part === "") return null;
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ConnectionError(`Connection '${connId}': the URI's ${what} holds a '%' not followed by two hex digits (write a literal '%' as %25).`);
  }
}

function parseExtraValue(connId: string, raw: unknown): Record<string, unknown> {
  if (raw === null || raw === undefined || raw === "") return {};
  if (typeof raw === "object" && !Array.isArray(raw)) return raw as Record<string, unknown>;
  if (typeof raw === "string") {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new ConnectionError(`Connection '${connId}': extra is not valid JSON.`);
    }
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  }
  throw new ConnectionError(`Connection '${connId}': extra must be a JSON object.`);
}

/**
 * `type://login:password@host:port/schema?k=v`. A host that carries its own protocol is written
 * `type://protocol://host` (Airflow's rule), and `__extra__=<json>` replaces the query pairs.
 */
export function parseConnectionUri(connId: string, uri: string): Connection {
  const schemeEnd = uri.indexOf("://");
  // The value is not shown: a malformed URI may still hold a password.
  if (schemeEnd <= 0) throw new ConnectionError(`Connection '${connId}': the value is not a URI (type://...) nor JSON.`);
  const schemes = uri.split("://").length - 1;
  if (schemes > 2) throw new ConnectionError(`Connection '${connId}': a URI may hold at most two '://'.`);
  const scheme = uri.slice(0, schemeEnd);
  let rest = uri.slice(schemeEnd + 3);
  let protocol: string | null = null;
  if (schemes === 2) {
    const inner = rest.indexOf("://");
    protocol = rest.slice(0, inner);
    if (/[@:]/.test(protocol)) throw new ConnectionError(`Connection '${connId}': invalid host protocol in URI.`);
    rest = rest.slice(inner + 3);
  }
  const queryAt = rest.indexOf("?");
  const query = queryAt >= 0 ? rest.slice(queryAt + 1) : "";
  const beforeQuery = queryAt >= 0 ? rest.slice(0, queryAt) : rest;
  const slash = beforeQuery.indexOf("/");
  const netloc = slash >= 0 ? beforeQuery.slice(0, slash) : beforeQuery;
  const path = slash >= 0 ? beforeQuery.slice(slash + 1) : "";
  const at = netloc.lastIndexOf("@");
  const userinfo = at >= 0 ? netloc.slice(0, at) : null;
  const hostport = at >= 0 ? netloc.slice(at + 1) : netloc;
  let login: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(":");
    login = decode(connId, "login", colon >= 0 ? userinfo.slice(0, colon) : userinfo);
    password = colon >= 0 ? decode(connId, "password", userinfo.slice(colon + 1)) : null;
  }
  const portMatch = /^(.*):(\d+)$/.exec(hostport);
  if (!portMatch && /:[^\]]*$/.test(hostport) && !hostport.endsWith("]")) {
    throw new ConnectionError(`Connection '${connId}': the port in the URI is not a number.`);
  }
  const hostOnly = portMatch ? portMatch[1] : hostport;
  const port = portMatch ? Number(portMatch[2]) : null;
  if (port !== null && port > 65535) throw new ConnectionError(`Connection '${connId}': port ${port} is out of range.`);
  const hostName = decode(connId, "host", hostOnly.replace(/^\[(.*)\]$/, "$1"));
  let extra: Record<string, unknown> = {};
  if (query) {
    // URLSearchParams never throws on a bad escape; Python's parse_qsl keeps it as it is too.
    const pairs = new URLSearchParams(query);
    const wrapped = pairs.get("__extra__");
    if (wrapped !== null) extra = parseExtraValue(connId, wrapped);
    else for (const [k, v] of pairs) extra[k] = v;
  }
  return {
    connId,
    connType: normaliseConnType(scheme),
    description: null,
    host: protocol && hostName ? `${protocol}://${hostName}` : hostName,
    login,
    password,
    schema: decode(connId, "schema", path),
    port,
    extra,
  };
}

/** The JSON form of a connection: Airflow's export entry or an AIRFLOW_CONN_ JSON value. */
export function parseConnectionJson(connId: string, value: unknown): Connection {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new ConnectionError(`Connection '${connId}': expected a JSON object or a URI.`);
  }
  const v = value as Record<string, unknown>;
  const known = new Set(["conn_type", "description", "host", "login", "password", "schema", "port", "extra", "uri", "conn_id"]);
  const unknown = Object.keys(v).filter((k) => !known.has(k));
  if (unknown.length) throw new ConnectionError(`Connection '${connId}': unknown field(s) ${unknown.join(", ")}.`);
  if (typeof v.uri === "string") return parseConnectionUri(connId, v.uri);
  const str = (key: string): string | null => {
    const x = v[key];
    if (x === undefined || x === null || x === "") return null;
    if (typeof x !== "string") throw new ConnectionError(`Connection '${connId}': ${key} must be a string.`);
    return x;
  };
  let port: number | null = null;
  if (v.port !== undefined && v.port !== null && v.port !== "") {
    port = typeof v.port === "number" ? v.port : Number(v.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConnectionError(`Connection '${connId}': port must be an integer 1-65535.`);
    }
  }
  const connType = str("conn_type");
  return {
    connId,
    connType: connType === null ? null : normaliseConnType(connType),
    description: str("description"),
    host: str("host"),
    login: str("login"),
    password: str("password"),
    schema: str("schema"),
    port,
    extra: parseExtraValue(connId, v.extra),
  };
}

/** A setting's value: JSON when it starts with `{`, a URI otherwise (Airflow's rule). */
export function parseConnectionSetting(connId: string, raw: string): Connection {
  const text = raw.trim();
  if (text.startsWith("{")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ConnectionError(`Connection '${connId}': ${connectionSettingName(connId)} starts with '{' but is not valid JSON.`);
    }
    return parseConnectionJson(connId, parsed);
  }
  return parseConnectionUri(connId, text);
}

/**
 * Resolve a connection by id; call this inside activities only, never in orchestrations. Its
 * secrets (and the setting's whole value) are registered with the masker before it is returned,
 * whoever asks: a hook or task code.
 */
export function getConnection(connId: string, env: Record<string, string | undefined> = process.env): Connection {
  const name = connectionSettingName(connId);
  const raw = env[name];
  if (raw === undefined || raw.trim() === "") {
    const fallback = DEFAULT_CONNECTIONS[connId.toLowerCase()];
    if (fallback) return parseConnectionSetting(connId, fallback);
    throw new ConnectionError(`Connection '${connId}' is not defined: set ${name} (a URI or JSON, see README).`);
  }
  let conn: Connection;
  try {
    conn = parseConnectionSetting(connId, raw);
  } catch (err) {
    // Unreadable, so nothing tells where a password sits in it: the whole value is the secret.
    registerSecret(raw.trim());
    throw err;
  }
  registerConnectionSecrets(conn);
  // The URI form with its password in it, as a careless log line would print the setting.
  if (conn.password !== null) registerSecret(raw.trim());
  return conn;
}

/** Every AIRFLOW_CONN_* setting, ids lower-cased (Airflow ids are case-insensitive in env). */
export function listConnectionIds(env: Record<string, string | undefined> = process.env): string[] {
  return Object.keys(env)
    .filter((k) => k.startsWith("AIRFLOW_CONN_") && (env[k] ?? "").trim() !== "")
    .map((k) => k.slice("AIRFLOW_CONN_".length).toLowerCase())
    .sort();
}

/** The entry `airflow connections export` writes for one connection. */
export function toExportEntry(conn: Connection): Record<string, unknown> {
  return {
    conn_type: conn.connType,
    description: conn.description,
    login: conn.login,
    password: conn.password,
    host: conn.host,
    port: conn.port,
    schema: conn.schema,
    extra: Object.keys(conn.extra).length ? JSON.stringify(conn.extra) : null,
  };
}
