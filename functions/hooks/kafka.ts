// The Kafka hook: a kafkajs client per connection id. Locally a plain broker; in Azure the Event
// Hubs Kafka endpoint (port 9093, SASL over TLS) with a managed-identity OAuth token.
import { Kafka, KafkaConfig, logLevel, SASLOptions } from "kafkajs";
import { Connection, getConnection } from "./connection";
import { registerConnectionSecrets } from "./secret-mask";
import { accessToken } from "./azure-credential";

const clients = new Map<string, Kafka>();

function brokers(conn: Connection): string[] {
  const listed = conn.extra["bootstrap.servers"] ?? conn.extra.bootstrap_servers;
  if (typeof listed === "string" && listed.trim()) return listed.split(",").map((b) => b.trim());
  if (conn.host) return [`${conn.host}:${conn.port ?? 9092}`];
  throw new Error(`Connection '${conn.connId}' names no broker: set host and port or extra."bootstrap.servers".`);
}

function sasl(conn: Connection, brokerList: string[]): SASLOptions | undefined {
  const mechanism = String(conn.extra["sasl.mechanism"] ?? conn.extra.sasl_mechanism ?? "").toUpperCase();
  if (mechanism === "OAUTHBEARER") {
    // Event Hubs: the token audience is the namespace itself.
    const namespace = brokerList[0].split(":")[0];
    const scope = String(conn.extra.oauth_scope ?? `https://${namespace}/.default`);
    return { mechanism: "oauthbearer", oauthBearerProvider: async () => ({ value: await accessToken(scope) }) };
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
    logLevel: logLevel.WARN,
    retry: { retries: 5 },
  };
}

export function kafkaClient(connId = "kafka_default"): Kafka {
  let client = clients.get(connId);
  if (!client) {
    const conn = getConnection(connId);
    registerConnectionSecrets(conn);
    client = new Kafka(kafkaConfigFor(conn));
    clients.set(connId, client);
  }
  return client;
}
