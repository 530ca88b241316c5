import { test } from "node:test";
import assert from "node:assert/strict";
import { parseConnectionJson, parseConnectionUri } from "../../../functions/hooks/connection";
import { kafkaConfigFor } from "../../../functions/hooks/kafka";
import { postgresPoolConfig } from "../../../functions/hooks/postgres";
import { quoteIdentifier } from "../../../functions/hooks/sql-identifier";

test("identifiers from config are validated and quoted; anything else is refused", () => {
  assert.equal(quoteIdentifier("logs"), '"logs"');
  assert.equal(quoteIdentifier("public.df_country"), '"public"."df_country"');
  for (const bad of ["logs; drop table x", 'a"b', "1abc", "a.b.c", "", "x".repeat(64)]) {
    assert.throws(() => quoteIdentifier(bad, "table"), /table '.*' is not allowed/);
  }
});

test("a Postgres connection becomes a pool config; sslmode require turns TLS on", () => {
  const cfg = postgresPoolConfig(parseConnectionUri("pg", "postgres://u:pw@db:6543/warehouse?sslmode=require"));
  assert.equal(cfg.host, "db");
  assert.equal(cfg.port, 6543);
  assert.equal(cfg.user, "u");
  assert.equal(cfg.password, "pw");
  assert.equal(cfg.database, "warehouse");
  assert.deepEqual(cfg.ssl, { rejectUnauthorized: false });
  assert.equal(postgresPoolConfig(parseConnectionUri("pg", "postgres://h/d")).ssl, undefined);
});

test("Entra auth makes the password a token function, never a stored secret", () => {
  const cfg = postgresPoolConfig(parseConnectionJson("pg", { conn_type: "postgres", host: "x.postgres.database.azure.com", login: "app-identity", extra: { azure_ad: true, sslmode: "verify-full" } }));
  assert.equal(typeof cfg.password, "function");
  assert.deepEqual(cfg.ssl, { rejectUnauthorized: true });
});

test("Kafka: a local broker is plaintext; Event Hubs uses SASL over TLS", () => {
  const local = kafkaConfigFor(parseConnectionUri("k", "kafka://127.0.0.1:19092"));
  assert.deepEqual(local.brokers, ["127.0.0.1:19092"]);
  assert.equal(local.ssl, false);
  assert.equal(local.sasl, undefined);
  const eh = kafkaConfigFor(parseConnectionJson("k", {
    conn_type: "kafka", extra: { "bootstrap.servers": "azflow-ns.servicebus.windows.net:9093", "sasl.mechanism": "OAUTHBEARER" },
  }));
  assert.equal(eh.ssl, true);
  assert.equal(eh.sasl?.mechanism, "oauthbearer");
  const plain = kafkaConfigFor(parseConnectionJson("k", {
    conn_type: "kafka", host: "ns.servicebus.windows.net", port: 9093, login: "$ConnectionString", password: "Endpoint=sb://x",
  }));
  assert.equal(plain.sasl?.mechanism, "plain");
  assert.equal(plain.ssl, true);
  assert.throws(() => kafkaConfigFor(parseConnectionJson("k", { conn_type: "kafka" })), /names no broker/);
});
