import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { test } from "node:test";
import { readPidRecord } from "../../../tools/services/pid-files";
import { SERVICES } from "../../../tools/services/registry";
import type { ServiceName } from "../../../tools/services/service";
import { UNAVAILABLE_SERVICES_ENV, needService, settings } from "../../support/services";

function azflow(args: string[], env: NodeJS.ProcessEnv = {}) {
  const main = path.join(settings().projectRoot, "dist", "tools", "cli", "main.js");
  return spawnSync(process.execPath, [main, ...args], { encoding: "utf8", env: { ...process.env, ...env }, timeout: 120_000 });
}

test("a second 'services up' is a no-op that reports each service already running", async (t) => {
  const unavailable = (process.env[UNAVAILABLE_SERVICES_ENV] ?? "").split(",");
  // The services `npm test` runs; on-demand ones (spark-cluster) are started only by the tests that need them.
  const names = SERVICES.filter((svc) => !svc.onDemand).map((svc) => svc.name).filter((n) => !unavailable.includes(n));
  for (const name of names) if (!(await needService(t, name))) return;
  const pidsBefore = names.map((n) => readPidRecord(settings(), n)?.pid);

  const run = azflow(["services", "up", ...names]);
  assert.equal(run.status, 0, run.stderr);
  const lines = run.stdout.trim().split("\n");
  assert.equal(lines.length, names.length);
  names.forEach((name: ServiceName, i) => {
    assert.match(lines[i] ?? "", new RegExp(`^${name}\\s+already (running|ready)\\b`));
  });
  assert.deepEqual(names.map((n) => readPidRecord(settings(), n)?.pid), pidsBefore, "no service was restarted");
});

test("a port taken by another process fails with one line naming the port, the service and the setting", async (t) => {
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
  t.after(() => holder.close());
  const port = (holder.address() as net.AddressInfo).port;
  // A separate local dir: no pid file there, so the port is someone else's.
  const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-local-"));
  t.after(() => fs.rmSync(localDir, { recursive: true, force: true }));

  const run = azflow(["services", "up", "postgres"], { AZFLOW_LOCAL_DIR: localDir, AZFLOW_POSTGRES_PORT: String(port) });
  assert.equal(run.status, 1);
  assert.equal(run.stdout, "");
  assert.equal(
    run.stderr.trim(),
    `azflow: port ${port} for postgres is taken by another process; set AZFLOW_POSTGRES_PORT to a free port (or stop that process)`,
  );
});

test("a malformed setting fails with one line naming it, not a stack trace", () => {
  const run = azflow(["services", "status"], { AZFLOW_KAFKA_PORT: "nineteen" });
  assert.equal(run.status, 1);
  assert.equal(run.stderr.trim(), "azflow: Setting AZFLOW_KAFKA_PORT must be an integer, got 'nineteen'.");
});

test("an unknown service name is a usage error", () => {
  const run = azflow(["services", "up", "redis"]);
  assert.equal(run.status, 2);
  assert.match(run.stderr, /unknown service 'redis'; choose from azurite, postgres, kafka, spark/);
});
