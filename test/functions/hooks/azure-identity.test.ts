// The code paths that only run in Azure, against the token, URL and setting shapes Azure uses. The
// managed identity is replaced by a credential standing in for it (an Azure-only API); Postgres is
// the real local server, with a role whose password is the current "token", as Azure Database for
// PostgreSQL checks an Entra token at login.
import { afterEach, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import type { AccessToken, TokenCredential } from "@azure/identity";
import { Client, type PoolClient } from "pg";
import { SettingsError } from "../../../functions/config";
import {
  accessToken, identityClientId, setAzureCredential, TOKEN_REFRESH_MARGIN_MS, TokenError,
} from "../../../functions/hooks/azure-credential";
import { appBlobService, appTableClient } from "../../../functions/hooks/app-storage";
import { blobServiceClientFor } from "../../../functions/hooks/blob";
import { parseConnectionSetting } from "../../../functions/hooks/connection";
import { kafkaConfigFor } from "../../../functions/hooks/kafka";
import { closePostgresPools, postgresPool, postgresPoolConfig, POSTGRES_ENTRA_SCOPE } from "../../../functions/hooks/postgres";
import { ingestionCredential, readConnectionString } from "../../../functions/telemetry/app-insights-settings";
import { needService, pgConfig, uniqueName } from "../../support/services";

const CLIENT_ID = "0b7c6f3e-2a4d-4c1e-9f8a-1d2e3f4a5b6c";

/** A credential standing in for the managed identity: hands out the queued tokens, records scopes. */
class StandInCredential implements TokenCredential {
  readonly scopes: string[] = [];
  constructor(private readonly queue: (AccessToken | "hang" | Error)[]) {}
  async getToken(scopes: string | string[]): Promise<AccessToken | null> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    const next = this.queue.length > 1 ? this.queue.shift()! : this.queue[0];
    if (next === "hang") return new Promise(() => undefined);
    if (next instanceof Error) throw next;
    return next;
  }
}

const inMinutes = (token: string, minutes: number): AccessToken => ({ token, expiresOnTimestamp: Date.now() + minutes * 60_000 });

afterEach(() => setAzureCredential(undefined));

describe("the app's identity settings", () => {
  it("in Azure (IDENTITY_ENDPOINT set) a missing AZURE_CLIENT_ID is an error naming it", () => {
    assert.throws(() => identityClientId({ IDENTITY_ENDPOINT: "http://localhost:8081/msi/token" }),
      (e: Error) => e instanceof SettingsError && /Setting AZURE_CLIENT_ID is not set/.test(e.message));
    assert.equal(identityClientId({}), undefined, "locally, developer logins need no client id");
    assert.equal(identityClientId({ AZURE_CLIENT_ID: CLIENT_ID }), CLIENT_ID);
  });

  it("a malformed client id is an error naming the setting", () => {
    assert.throws(() => identityClientId({ AZURE_CLIENT_ID: "my-identity" }), /Setting AZURE_CLIENT_ID must be a client id \(a GUID\), got 'my-identity'/);
  });
});

describe("tokens", () => {
  it("are cached per scope and renewed once less than the margin is left", async () => {
    const cred = new StandInCredential([inMinutes("t1", 60), inMinutes("t2", 60)]);
    setAzureCredential(cred);
    assert.equal((await accessToken("https://a/.default")).token, "t1");
    assert.equal((await accessToken("https://a/.default")).token, "t1", "cached");
    assert.equal(cred.scopes.length, 1);
    const nearExpiry = new StandInCredential([{ token: "old", expiresOnTimestamp: Date.now() + TOKEN_REFRESH_MARGIN_MS - 1000 }, inMinutes("new", 60)]);
    setAzureCredential(nearExpiry);
    assert.equal((await accessToken("https://b/.default")).token, "old", "a token is used while it is valid");
    assert.equal((await accessToken("https://b/.default")).token, "new", "and renewed before it expires");
  });

  it("concurrent callers share one request", async () => {
    const cred = new StandInCredential([inMinutes("shared", 60)]);
    setAzureCredential(cred);
    const all = await Promise.all([1, 2, 3].map(() => accessToken("https://c/.default")));
    assert.deepEqual(all.map((t) => t.token), ["shared", "shared", "shared"]);
    assert.equal(cred.scopes.length, 1);
  });

  it("an expired token is a clear error, never used", async () => {
    setAzureCredential(new StandInCredential([{ token: "stale", expiresOnTimestamp: Date.now() - 1000 }]));
    await assert.rejects(accessToken(POSTGRES_ENTRA_SCOPE, "PostgreSQL"),
      (e: Error) => e instanceof TokenError && /token for PostgreSQL .* expired at .*check AZURE_CLIENT_ID/.test(e.message));
  });

  it("an identity endpoint that never answers ends in an error naming the setting, not a hang", async () => {
    setAzureCredential(new StandInCredential(["hang"]));
    const began = Date.now();
    await assert.rejects(accessToken("https://d/.default", "Event Hubs", 200), /No Azure access token for Event Hubs .* within 0.2 s: check AZURE_CLIENT_ID/);
    assert.ok(Date.now() - began < 2000);
  });

  it("a refused request says why and what to check", async () => {
    setAzureCredential(new StandInCredential([new Error("ManagedIdentityCredential: identity not found")]));
    await assert.rejects(accessToken("https://e/.default", "Synapse"), /Could not get an Azure access token for Synapse .*identity not found; check AZURE_CLIENT_ID/);
  });
});

describe("Event Hubs through its Kafka endpoint (SASL OAUTHBEARER)", () => {
  const eventHubs = (host: string) => parseConnectionSetting("kafka_default", JSON.stringify({
    conn_type: "kafka", extra: { "bootstrap.servers": host, "sasl.mechanism": "OAUTHBEARER" },
  }));

  it("uses TLS and a token for the namespace's scope from the managed identity", async () => {
    const cred = new StandInCredential([inMinutes("eh-token", 60)]);
    setAzureCredential(cred);
    const config = kafkaConfigFor(eventHubs("azflow-ns1.servicebus.windows.net:9093"));
    assert.equal(config.ssl, true);
    assert.deepEqual(config.brokers, ["azflow-ns1.servicebus.windows.net:9093"]);
    const sasl = config.sasl as { mechanism: string; oauthBearerProvider: () => Promise<{ value: string }> };
    assert.equal(sasl.mechanism, "oauthbearer");
    assert.deepEqual(await sasl.oauthBearerProvider(), { value: "eh-token" });
    assert.deepEqual(cred.scopes, ["https://azflow-ns1.servicebus.windows.net/.default"]);
  });

  it("a bad namespace, a non-Event Hubs host or the wrong port is an error naming the connection setting", () => {
    assert.throws(() => kafkaConfigFor(eventHubs("x_y.servicebus.windows.net:9093")),
      /Connection 'kafka_default' \(AIRFLOW_CONN_KAFKA_DEFAULT\): 'x_y' is not a valid Event Hubs namespace name/);
    assert.throws(() => kafkaConfigFor(eventHubs("broker.example.com:9093")), /AIRFLOW_CONN_KAFKA_DEFAULT.*not an Event Hubs namespace/);
    assert.throws(() => kafkaConfigFor(eventHubs("azflow-ns1.servicebus.windows.net:9092")), /AIRFLOW_CONN_KAFKA_DEFAULT.*port 9093/);
  });

  it("an expired token fails the connection attempt with a clear error", async () => {
    setAzureCredential(new StandInCredential([{ token: "old", expiresOnTimestamp: Date.now() - 1 }]));
    const sasl = kafkaConfigFor(eventHubs("azflow-ns1.servicebus.windows.net:9093")).sasl as { oauthBearerProvider: () => Promise<unknown> };
    await assert.rejects(sasl.oauthBearerProvider(), /token for Event Hubs \(AIRFLOW_CONN_KAFKA_DEFAULT\).*expired/);
  });
});

describe("storage with the identity when a connection has no key", () => {
  it("a wasb connection with only an account URL uses the managed identity", () => {
    const cred = new StandInCredential([inMinutes("st", 60)]);
    setAzureCredential(cred);
    const client = blobServiceClientFor(parseConnectionSetting("wasb_default", JSON.stringify({ conn_type: "wasb", host: "stazflowdata.blob.core.windows.net" })));
    assert.equal(client.url, "https://stazflowdata.blob.core.windows.net/");
    assert.equal(client.credential, cred);
  });

  it("identity-based AzureWebJobsStorage: service URIs or the account name, checked", () => {
    const cred = new StandInCredential([inMinutes("st", 60)]);
    setAzureCredential(cred);
    const env = { AzureWebJobsStorage__blobServiceUri: "https://stazflow.blob.core.windows.net/", AzureWebJobsStorage__tableServiceUri: "https://stazflow.table.core.windows.net/" };
    assert.equal(appBlobService(env).url, "https://stazflow.blob.core.windows.net/");
    assert.equal(appBlobService(env).credential, cred);
    assert.equal(appTableClient("azflowruns", env).url, "https://stazflow.table.core.windows.net/");
    assert.equal(appTableClient("azflowruns", { AzureWebJobsStorage__accountName: "stazflow" }).url, "https://stazflow.table.core.windows.net");
    assert.throws(() => appBlobService({ AzureWebJobsStorage__accountName: "St_Azflow" }), /Setting AzureWebJobsStorage__accountName must be a storage account name/);
    assert.throws(() => appBlobService({ AzureWebJobsStorage__blobServiceUri: "stazflow" }), /Setting AzureWebJobsStorage__blobServiceUri must be a service URL/);
    assert.throws(() => appBlobService({}), /Setting AzureWebJobsStorage is not set/);
  });
});

describe("Application Insights settings", () => {
  it("a malformed connection or authentication string is an error naming the setting", () => {
    assert.throws(() => readConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: "InstrumentationKey=abc" }), /Setting APPLICATIONINSIGHTS_CONNECTION_STRING has no valid InstrumentationKey/);
    assert.throws(() => readConnectionString({ APPLICATIONINSIGHTS_CONNECTION_STRING: "garbage" }), /Setting APPLICATIONINSIGHTS_CONNECTION_STRING is malformed/);
    assert.throws(() => ingestionCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=ikey" }), /must say Authorization=AAD/);
    assert.throws(() => ingestionCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: "Authorization=AAD;ClientId=nope" }), /APPLICATIONINSIGHTS_AUTHENTICATION_STRING ClientId must be a client id/);
    assert.ok(ingestionCredential({ APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${CLIENT_ID}` }));
    assert.equal(readConnectionString({}), undefined);
  });
});

describe("PostgreSQL with an Entra token as password (real local server)", () => {
  it("each new pooled connection gets a token with time to live; open connections outlive theirs", async (t: TestContext) => {
    if (!(await needService(t, "postgres"))) return;
    const role = uniqueName("entra_app_");
    const admin = new Client(pgConfig());
    await admin.connect();
    const setPassword = (token: string) => admin.query(`ALTER ROLE ${role} PASSWORD '${token}'`);
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'unused'`);
    const { host, port, database } = pgConfig();
    const saved = process.env.AIRFLOW_CONN_ENTRA_PG;
    process.env.AIRFLOW_CONN_ENTRA_PG = JSON.stringify({ conn_type: "postgres", host, port, schema: database, login: role, extra: { azure_ad: true } });
    const held: PoolClient[] = [];
    try {
      // The first token has four minutes left: usable once, renewed for the next connection.
      const cred = new StandInCredential([inMinutes("entra-token-1", 4), inMinutes("entra-token-2", 60)]);
      setAzureCredential(cred);
      await setPassword("entra-token-1");
      const pool = postgresPool("entra_pg");
      held.push(await pool.connect());
      assert.equal((await held[0].query("SELECT current_user AS u")).rows[0].u, role);
      // The database now expects the renewed token, as Entra would after rotation.
      await setPassword("entra-token-2");
      held.push(await pool.connect());
      assert.equal((await held[1].query("SELECT 1 AS one")).rows[0].one, 1);
      assert.equal((await held[0].query("SELECT 2 AS two")).rows[0].two, 2, "the first connection stays open past its token");
      assert.deepEqual(cred.scopes, [POSTGRES_ENTRA_SCOPE, POSTGRES_ENTRA_SCOPE]);
      // The token is never part of the pool's config: it is asked for per connection.
      assert.equal(typeof postgresPoolConfig(parseConnectionSetting("entra_pg", process.env.AIRFLOW_CONN_ENTRA_PG)).password, "function");
    } finally {
      held.forEach((c) => c.release());
      await closePostgresPools();
      if (saved === undefined) delete process.env.AIRFLOW_CONN_ENTRA_PG;
      else process.env.AIRFLOW_CONN_ENTRA_PG = saved;
      await admin.query(`DROP ROLE IF EXISTS ${role}`);
      await admin.end();
    }
  });

  it("an expired token fails the connection with an error naming the connection setting", async (t: TestContext) => {
    if (!(await needService(t, "postgres"))) return;
    const { host, port, database } = pgConfig();
    process.env.AIRFLOW_CONN_ENTRA_PG2 = JSON.stringify({ conn_type: "postgres", host, port, schema: database, login: "nobody", extra: { azure_ad: true } });
    try {
      setAzureCredential(new StandInCredential([{ token: "x", expiresOnTimestamp: Date.now() - 60_000 }]));
      await assert.rejects(postgresPool("entra_pg2").query("SELECT 1"), /token for PostgreSQL \(AIRFLOW_CONN_ENTRA_PG2\) .* expired/);
      assert.throws(() => postgresPoolConfig(parseConnectionSetting("x", JSON.stringify({ conn_type: "postgres", host, extra: { azure_ad: true } }))),
        /Connection 'x' \(AIRFLOW_CONN_X\) uses Entra auth but names no login/);
    } finally {
      delete process.env.AIRFLOW_CONN_ENTRA_PG2;
      await closePostgresPools();
    }
  });
});
