import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.resolve(__dirname, "..", "..", "..", "..");
const cli = path.join(root, "dist", "tools", "cli", "main.js");
const exportFile = path.join(root, "test", "fixtures", "airflow-connections-export.json");

function azflow(args: string[], cwd: string): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

test("connections import reads an `airflow connections export` file into local.settings.json", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  const r = azflow(["connections", "import", exportFile], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /Imported connection postgres_default/);
  const settings = JSON.parse(fs.readFileSync(path.join(dir, "local.settings.json"), "utf8"));
  const pg = JSON.parse(settings.Values.AIRFLOW_CONN_POSTGRES_DEFAULT);
  assert.deepEqual(pg, { conn_type: "postgres", login: "airflow", password: "s3cr3t/p@ss", host: "postgres", port: 5432, schema: "airflow" });
  const kafka = JSON.parse(settings.Values.AIRFLOW_CONN_KAFKA_DEFAULT);
  assert.equal(JSON.parse(kafka.extra)["group.id"], "micro_batching");
  assert.equal(JSON.parse(settings.Values.AIRFLOW_CONN_USER_API).host, "https://randomuser.me");
  assert.equal(fs.statSync(path.join(dir, "local.settings.json")).mode & 0o077, 0, "settings holding passwords are owner-only");
});

test("an existing connection is skipped unless --overwrite", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  fs.writeFileSync(path.join(dir, "local.settings.json"), JSON.stringify({
    IsEncrypted: false, Values: { AIRFLOW_CONN_POSTGRES_DEFAULT: "postgres://keep:me@h/db", OTHER: "x" },
  }));
  const first = azflow(["connections", "import", exportFile], dir);
  assert.match(first.out, /Could not import connection postgres_default: connection already exists/);
  let values = JSON.parse(fs.readFileSync(path.join(dir, "local.settings.json"), "utf8")).Values;
  assert.equal(values.AIRFLOW_CONN_POSTGRES_DEFAULT, "postgres://keep:me@h/db");
  assert.equal(values.OTHER, "x");
  azflow(["connections", "import", exportFile, "--overwrite"], dir);
  values = JSON.parse(fs.readFileSync(path.join(dir, "local.settings.json"), "utf8")).Values;
  assert.equal(JSON.parse(values.AIRFLOW_CONN_POSTGRES_DEFAULT).login, "airflow");
});

test("export writes Airflow's format, and an import-export round trip is lossless", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  azflow(["connections", "import", exportFile], dir);
  const out = path.join(dir, "exported.json");
  const r = azflow(["connections", "export", out], dir);
  assert.equal(r.code, 0, r.err);
  const exported = JSON.parse(fs.readFileSync(out, "utf8"));
  const original = JSON.parse(fs.readFileSync(exportFile, "utf8"));
  assert.deepEqual(Object.keys(exported), ["kafka_default", "postgres_default", "user_api"]);
  assert.deepEqual(exported.postgres_default, original.postgres_default);
  assert.deepEqual(JSON.parse(exported.kafka_default.extra), JSON.parse(original.kafka_default.extra));
  assert.equal(exported.user_api.conn_type, "http");
  assert.equal(exported.user_api.host, "https://randomuser.me");
});

test("a malformed file gives one clear line and no stack trace", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  const bad = path.join(dir, "bad.json");
  fs.writeFileSync(bad, JSON.stringify({ pg: { conn_type: "postgres", port: "x" } }));
  const r = azflow(["connections", "import", bad], dir);
  assert.equal(r.code, 1);
  assert.match(r.err, /^azflow: .*bad\.json: Connection 'pg': port must be an integer 1-65535\.\n$/);
  assert.equal(execFileSync("ls", [dir], { encoding: "utf8" }).includes("local.settings.json"), false, "nothing written on failure");
});

test("importing 10,000 connections warns that the settings no longer fit in a process environment", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  const many: Record<string, unknown> = {};
  for (let i = 0; i < 10_000; i++) {
    many[`bulk_${i}`] = { conn_type: "postgres", description: null, login: `svc_${i}`, password: `pw-${i}-${"x".repeat(100)}`, host: `db-${i}.example.internal`, port: 5432, schema: "warehouse", extra: null };
  }
  fs.writeFileSync(path.join(dir, "many.json"), JSON.stringify(many));
  const r = azflow(["connections", "import", "many.json"], dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.split("\n").filter((l) => l.startsWith("Imported connection")).length, 10_000);
  const warnings = r.err.trim().split("\n");
  assert.equal(warnings.length, 1, r.err);
  assert.match(warnings[0], /^azflow: warning: local\.settings\.json holds 10000 settings \(2\.\d MB\); .* over the 2\.0 MB a process environment can hold, so `func start` and any process given these settings fail with E2BIG\./);

  // A few connections: no warning.
  const smallDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  const small = azflow(["connections", "import", exportFile], smallDir);
  assert.equal(small.err, "");
  for (const d of [dir, smallDir]) fs.rmSync(d, { recursive: true, force: true });
});

test("a bad percent-escape in a URI is one line naming the connection on import and on export", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-conn-"));
  const file = path.join(dir, "pct.json");
  fs.writeFileSync(file, JSON.stringify({ good: "postgres://u:pw@h/db", pct_conn: "postgres://svc:Pw%ZZword@h:5432/db" }));
  const imported = azflow(["connections", "import", file], dir);
  assert.equal(imported.code, 1);
  assert.match(imported.err, /^azflow: .*pct\.json: Connection 'pct_conn': the URI's password holds a '%' not followed by two hex digits \(write a literal '%' as %25\)\.\n$/);
  assert.ok(!imported.err.includes("Pw%ZZword") && !imported.err.includes("URIError"));

  fs.writeFileSync(path.join(dir, "local.settings.json"), JSON.stringify({ IsEncrypted: false, Values: { AIRFLOW_CONN_PCT_CONN: "postgres://svc:Pw%ZZword@h:5432/db" } }));
  const exported = azflow(["connections", "export", "out.json"], dir);
  assert.equal(exported.code, 1);
  assert.match(exported.err, /^azflow: Connection 'pct_conn': the URI's password holds a '%' not followed by two hex digits \(write a literal '%' as %25\)\.\n$/);
  assert.equal(fs.existsSync(path.join(dir, "out.json")), false);
  fs.rmSync(dir, { recursive: true, force: true });
});
