// The Kafka hook: a kafkajs client per connection id. Locally a plain broker; in Azure the Event
// Hubs Kafka endpoint (port 9093, SASL over TLS) with a managed-identity OAuth token.
import type * as KafkaJs from "kafkajs";
import type { Kafka, KafkaConfig, SASLOptions } from "kafkajs";
import { Connection, ConnectionError, connectionSettingName, getConnection } from "./connection";
import { registerConnectionSecrets } from "./secret-mask";
import { accessToken } from "./azure-credential";

const clients = new Map<string, Kafka>();

function brokers(conn: Connection): string[] {
  const listed = conn.extra["bootstrap.servers"] ?? conn.extra.bootstrap_servers;
  if (typeof listed === "string" && listed.trim()) return listed.split(",").map((b) => b.trim());
  if (conn.host) return [`${conn.host}:${conn.port ?? 9092}`];
  throw new Error(`Connection '${conn.connId}' names no broker: set host and port or extra."bootstrap.servers".`);
}

const EVENT_HUBS_SUFFIX = ".servicebus.windows.net";
/** Event Hubs namespace names: 6-50 letters, digits and hyphens, starting with a letter. */
const EVENT_HUBS_NAMESPACE = /^[a-zA-Z][a-zA-Z0-9-]{4,48}[a-zA-Z0-9]$/;

/**
 * The token scope for OAUTHBEARER. For Event Hubs' Kafka endpoint the audience is the namespace,
 * `https://<ns>.servicebus.windows.net/.default`, and the broker must be `<ns>.servicebus.windows.net:9093`.
 */
export function oauthScope(conn: Connection, brokerList: string[]): string {
  const where = `Connection '${conn.connId}' (${connectionSettingName(conn.connId)})`;
  if (typeof conn.extra.oauth_scope === "string" && conn.extra.oauth_scope.trim()) return conn.extra.oauth_scope.trim();
  const [host, port] = brokerList[0].split(":");
  if (!host.toLowerCase().endsWith(EVENT_HUBS_SUFFIX)) {
    throw new ConnectionError(`${where} uses OAUTHBEARER with broker '${brokerList[0]}', which is not an Event Hubs namespace (<ns>${EVENT_HUBS_SUFFIX}:9093): set extra.oauth_scope for another broker.`);
  }
  const namespace = host.slice(0, -EVENT_HUBS_SUFFIX.length);
  if (!EVENT_HUBS_NAMESPACE.test(namespace)) {
    throw new ConnectionError(`${where}: '${namespace}' is not a valid Event Hubs namespace name (6-50 letters, digits or hyphens, starting with a letter).`);
  }
  if (port !== "9093") throw new ConnectionError(`${where}: the Event Hubs Kafka endpoint listens on port 9093, got '${brokerList[0]}'.`);
  return `https://${host.toLowerCase()}/.default`;
}

function sasl(conn: Connection, brokerList: string[]): SASLOptions | undefined {
  const mechanism = String(conn.extra["sasl.mechanism"] ?? conn.extra.sasl_mechanism ?? "").toUpperCase();
  if (mechanism === "OAUTHBEARER") {
    const scope = oauthScope(conn, brokerList);
    // kafkajs asks for a token on every (re)authentication; the cache renews it before expiry.
    return { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: (await accessToken(scope, `Event Hubs (${connectionSettingName(conn.connId)})`)).token }) };
  }
  if (mechanism === "PLAIN" || (conn.login && conn.password)) {
    return { mechanism: "plain", username: conn.login ?? "", password: conn.password ?? "" };
  }
  return undefined;
}

export function kafkaConfigFor(conn: Connection): KafkaConfig {
  const brokerList = brokers(conn);
  const saslOptions = sasl(conn, brokerList);
  const protocol = String(conn.extra["security.protocol"] ?? (saslOptions ? "SASL_SSL" : "PLAINTEXT")).toUpperCase();
  return {
    clientId: String(conn.extra["client.id"] ?? "azflow"),
    brokers: brokerList,
    ssl: protocol === "SSL" || protocol === "SASL_SSL",
    sasl: saslOptions,
    retry: { retries: 5 },
  };
}

export function kafkaClient(connId = "kafka_default"): Kafka {
  let client = clients.get(connId);
  if (!client) {
    const conn = getConnection(connId);
    registerConnectionSecrets(conn);
    // kafkajs loads with the first client, not with the app: most runs never touch Kafka.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const kafkajs = require("kafkajs") as typeof KafkaJs;
    client = new kafkajs.Kafka({ ...kafkaConfigFor(conn), logLevel: kafkajs.logLevel.WARN });
    clients.set(connId, client);
  }
  return client;
}
