import { test } from "node:test";
import assert from "node:assert/strict";
import {
  connectionSettingName,
  getConnection,
  listConnectionIds,
  parseConnectionJson,
  parseConnectionSetting,
  parseConnectionUri,
  toExportEntry,
} from "../../../functions/hooks/connection";
import { clearSecrets, maskError, maskSecrets, registerConnectionSecrets } from "../../../functions/hooks/secret-mask";

test("a postgresql URI parses as Airflow does: type normalised, parts unquoted", () => {
  const c = parseConnectionUri("pg", "postgresql://user%40corp:p%40ss%2Fw0rd@db.example.com:5432/ana%20lytics?sslmode=require");
  assert.equal(c.connType, "postgres");
  assert.equal(c.login, "user@corp");
  assert.equal(c.password, "p@ss/w0rd");
  assert.equal(c.host, "db.example.com");
  assert.equal(c.port, 5432);
  assert.equal(c.schema, "ana lytics");
  assert.deepEqual(c.extra, { sslmode: "require" });
});

test("dashes in the scheme become underscores; no port and no schema give null", () => {
  const c = parseConnectionUri("x", "google-cloud-platform://host");
  assert.equal(c.connType, "google_cloud_platform");
  assert.equal(c.port, null);
  assert.equal(c.schema, null);
  assert.equal(c.login, null);
  assert.equal(c.password, null);
});

test("a host carrying its own protocol keeps it (type://protocol://host)", () => {
  const c = parseConnectionUri("user_api", "http://https://randomuser.me:443/?timeout=5");
  assert.equal(c.connType, "http");
  assert.equal(c.host, "https://randomuser.me");
  assert.equal(c.port, 443);
  assert.deepEqual(c.extra, { timeout: "5" });
});

test("__extra__ carries a JSON extra instead of query pairs", () => {
  const extra = encodeURIComponent(JSON.stringify({ nested: { a: 1 }, flag: true }));
  const c = parseConnectionUri("k", `kafka://broker:9092/?__extra__=${extra}`);
  assert.deepEqual(c.extra, { nested: { a: 1 }, flag: true });
});

test("bad URIs are rejected with the connection id and without the password", () => {
  assert.throws(() => parseConnectionUri("bad", "not a uri"), /Connection 'bad'/);
  assert.throws(() => parseConnectionUri("bad", "a://b://c://d"), /at most two/);
  assert.throws(() => parseConnectionUri("bad", "postgres://u:secretpw@h:99999/db"), /out of range/);
  assert.throws(() => parseConnectionUri("bad", "postgres://u:pw@h/db?__extra__=%7Bnope"), /not valid JSON/);
});

test("the JSON form accepts Airflow's export entry, extra as a string or an object", () => {
  const fromString = parseConnectionJson("wasb_default", {
    conn_type: "wasb", description: "lake", login: "devstoreaccount1", password: "k3y==",
    host: null, port: null, schema: null, extra: "{\"connection_string\": \"UseDevelopmentStorage=true\"}",
  });
  assert.equal(fromString.connType, "wasb");
  assert.equal(fromString.description, "lake");
  assert.deepEqual(fromString.extra, { connection_string: "UseDevelopmentStorage=true" });
  const fromObject = parseConnectionJson("x", { conn_type: "http", host: "h", port: "8080", extra: { a: 1 } });
  assert.equal(fromObject.port, 8080);
  assert.deepEqual(fromObject.extra, { a: 1 });
  assert.throws(() => parseConnectionJson("x", { conn_type: "http", port: "eighty" }), /port must be an integer/);
  assert.throws(() => parseConnectionJson("x", { conn_type: "http", colour: "red" }), /unknown field\(s\) colour/);
  assert.throws(() => parseConnectionJson("x", { conn_type: "http", extra: "[1]" }), /extra must be a JSON object/);
});

test("a setting starting with { is JSON, anything else a URI", () => {
  assert.equal(parseConnectionSetting("a", ' {"conn_type":"postgres","host":"h"}').host, "h");
  assert.equal(parseConnectionSetting("a", "postgres://h:1/d").schema, "d");
  assert.throws(() => parseConnectionSetting("a", "{broken"), /AIRFLOW_CONN_A starts with '\{' but is not valid JSON/);
});

test("connections resolve by id from AIRFLOW_CONN_<ID>; a missing one names the setting", () => {
  const env = { AIRFLOW_CONN_POSTGRES_DEFAULT: "postgres://a:b@h:5/db", AIRFLOW_CONN_EMPTY: "", OTHER: "x" };
  assert.equal(connectionSettingName("postgres_default"), "AIRFLOW_CONN_POSTGRES_DEFAULT");
  assert.equal(getConnection("postgres_default", env).host, "h");
  assert.throws(() => getConnection("nope", env), /Connection 'nope' is not defined: set AIRFLOW_CONN_NOPE/);
  assert.deepEqual(listConnectionIds(env), ["postgres_default"]);
});

test("export entries match `airflow connections export`: extra a JSON string or null", () => {
  const entry = toExportEntry(parseConnectionUri("p", "postgres://u:pw@h:5432/db?sslmode=disable"));
  assert.deepEqual(entry, {
    conn_type: "postgres", description: null, login: "u", password: "pw", host: "h", port: 5432, schema: "db",
    extra: "{\"sslmode\":\"disable\"}",
  });
  assert.equal(toExportEntry(parseConnectionUri("p", "postgres://h")).extra, null);
});

test("a resolved connection's password and sensitive extras are masked in logs and errors", () => {
  clearSecrets();
  const conn = parseConnectionJson("c", {
    conn_type: "http", password: "hunter2-long", extra: { api_key: "AKIA-XYZ-123", region: "westeurope" },
  });
  registerConnectionSecrets(conn);
  assert.equal(maskSecrets("login failed for hunter2-long with key AKIA-XYZ-123 in westeurope"),
    "login failed for *** with key *** in westeurope");
  const err = maskError(new Error("dial postgres://u:hunter2-long@h failed"));
  assert.equal(err.message, "dial postgres://u:***@h failed");
  assert.ok(!String(err.stack).includes("hunter2-long"));
  clearSecrets();
  assert.equal(maskSecrets("hunter2-long"), "hunter2-long");
});

test("a `+` in a URI's password stays a `+` (Airflow unquotes with unquote, not unquote_plus)", () => {
  const c = parseConnectionUri("pg", "postgres://svc:Pa+ss+w0rd@db:5432/analytics");
  assert.equal(c.password, "Pa+ss+w0rd");
  assert.equal(parseConnectionUri("pg", "postgres://svc:Pa%2Bss@db/x").password, "Pa+ss");
  assert.equal(parseConnectionUri("pg", "postgres://svc:with%20space@db/x").password, "with space");
  // Query values are form-encoded, as Python's parse_qsl reads them.
  assert.deepEqual(parseConnectionUri("pg", "postgres://db/x?application_name=a+b").extra, { application_name: "a b" });
});

test("a bad percent-escape is one ConnectionError naming the connection and the part, never the value", () => {
  for (const [uri, part] of [["postgres://svc:Pw%ZZsecret@db/x", "password"], ["postgres://u%ZZ:pw@db/x", "login"], ["postgres://db/sch%ZZema", "schema"]]) {
    assert.throws(() => parseConnectionUri("broken_pct", uri), (err: Error) => {
      assert.equal(err.name, "ConnectionError");
      assert.match(err.message, new RegExp(`^Connection 'broken_pct': the URI's ${part} holds a '%' not followed by two hex digits`));
      assert.ok(!err.message.includes("Pw%ZZsecret") && !err.message.includes("%ZZ"), err.message);
      return true;
    });
  }
});

test("a malformed URI is never echoed in the error", () => {
  for (const uri of ["postgres:/svc:TopSecret-77@db/x", "svc:TopSecret-77@db", "postgres//svc:TopSecret-77@db"]) {
    assert.throws(() => parseConnectionSetting("bad_uri", uri), (err: Error) => {
      assert.match(err.message, /^Connection 'bad_uri': the value is not a URI/);
      assert.ok(!err.message.includes("TopSecret-77"), err.message);
      return true;
    });
  }
});

test("getConnection registers the connection's secrets itself: password, its URI forms and the setting", () => {
  clearSecrets();
  const uri = "postgres://svc:Sw0rd+fish%2Fx@db:5432/analytics";
  const env = {
    AIRFLOW_CONN_PG: uri,
    AIRFLOW_CONN_LAKE: JSON.stringify({ conn_type: "wasb", extra: { connection_string: "DefaultEndpointsProtocol=https;AccountName=lake;AccountKey=c2VjcmV0LWtleS1iYXNlNjQ=;EndpointSuffix=core.windows.net" } }),
  };
  const pg = getConnection("pg", env);
  assert.equal(pg.password, "Sw0rd+fish/x");
  for (const leak of ["Sw0rd+fish/x", "Sw0rd%2Bfish%2Fx", uri, Buffer.from("svc:Sw0rd+fish/x").toString("base64")]) {
    assert.equal(maskSecrets(`saw ${leak} here`), "saw *** here", leak);
  }
  // The raw `+` form a URI may carry for a space is masked too.
  getConnection("lake", env);
  assert.equal(maskSecrets("key=c2VjcmV0LWtleS1iYXNlNjQ="), "key=***", "the account key inside a storage connection string");
  clearSecrets();
});

test("masking stays exact with tens of thousands of secrets registered", () => {
  clearSecrets();
  for (let i = 0; i < 20_000; i++) registerConnectionSecrets(parseConnectionUri(`c${i}`, `postgres://u${i}:pw-${i}-${(i * 7919).toString(36)}@h/db`));
  const line = `connecting with pw-123-${(123 * 7919).toString(36)} and pw-19999-${(19999 * 7919).toString(36)}, not pw-1 nor pw-`;
  assert.equal(maskSecrets(line), "connecting with *** and ***, not pw-1 nor pw-");
  const long = "nothing secret here; ".repeat(50_000);
  assert.equal(maskSecrets(long), long);
  clearSecrets();
});
