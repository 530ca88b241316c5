// The CLI's commands start the local services they need, from a state where none runs: each test
// gets its own AZFLOW_LOCAL_DIR and free ports, so the services `npm test` runs are not touched,
// and stops what it started (checking that the pid files are gone and the ports free again).
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { readPidRecord } from "../../../tools/services/pid-files";
import { isAlive } from "../../../tools/services/process-tree";
import { freePort, portIsFree } from "../../../tools/services/ports";
import { serviceSettings, type ServiceSettings } from "../../../tools/services/settings";
import { needService, settings } from "../../support/services";
import { azflow, freshDay } from "./azflow-process";

interface Fresh {
  env: NodeJS.ProcessEnv;
  s: ServiceSettings;
}

/** A local dir and ports nobody uses; torn down with `services down` after the test. */
async function freshState(t: TestContext): Promise<Fresh> {
  const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-autostart-"));
  // Postgres runs as its own user when we are root: it must be able to reach its data directory.
  fs.chmodSync(localDir, 0o755);
  const env: NodeJS.ProcessEnv = {
    AZFLOW_LOCAL_DIR: localDir,
    // Jars and the Spark venv are not what is tested here: the checkout's cache serves them.
    AZFLOW_CACHE_DIR: settings().cacheDir,
    AZFLOW_AZURITE_BLOB_PORT: String(await freePort()),
    AZFLOW_AZURITE_QUEUE_PORT: String(await freePort()),
    AZFLOW_AZURITE_TABLE_PORT: String(await freePort()),
    AZFLOW_AZURITE_IN_MEMORY: "true",
    AZFLOW_POSTGRES_PORT: String(await freePort()),
    AZFLOW_KAFKA_PORT: String(await freePort()),
    AZFLOW_KAFKA_CONTROLLER_PORT: String(await freePort()),
  };
  const s = serviceSettings({ ...process.env, ...env });
  t.after(async () => {
    await azflow(["services", "down"], 60_000, env);
    fs.rmSync(localDir, { recursive: true, force: true });
  });
  return { env, s };
}

/** Which services have a live process recorded in this state's pid files. */
function running(s: ServiceSettings): string[] {
  return ["azurite", "postgres", "kafka"].filter((name) => {
    const record = readPidRecord(s, name);
    return record !== undefined && isAlive(record.pid);
  });
}

async function allPortsFree(s: ServiceSettings): Promise<boolean> {
  const ports = [s.azurite.blobPort, s.azurite.queuePort, s.azurite.tablePort, s.postgres.port];
  return (await Promise.all(ports.map((p) => portIsFree(s.host, p)))).every(Boolean);
}

const STARTS_AZURITE = "azflow: starting azurite (the run ledger); it keeps running for the next commands ('npx azflow services down' stops it)";

test("from nothing running: --no-start fails in one line; dags list starts only Azurite; dags test adds Postgres for the DAG's connection; the next commands start nothing", async (t) => {
  // Needs no running service, but the same machine as the Postgres tests (its binaries).
  if (!(await needService(t, "postgres"))) return;
  const { env, s } = await freshState(t);
  const day = freshDay(40);

  const refused = await azflow(["dags", "test", "tutorial", day, "--no-start"], 60_000, env);
  assert.equal(refused.code, 1, refused.out + refused.err);
  assert.match(refused.err, /^azflow: the run ledger's storage \(AzureWebJobsStorage\) is not reachable \(.*ECONNREFUSED.*\); start the local services with 'npx azflow services up azurite postgres'.*\n$/);
  assert.equal(refused.err.trim().split("\n").length, 1, refused.err);
  assert.deepEqual(running(s), [], "--no-start started nothing");

  const list = await azflow(["dags", "list"], 60_000, env);
  assert.equal(list.code, 0, list.out + list.err);
  assert.equal(list.err, `${STARTS_AZURITE}\n`);
  assert.match(list.out, /^tutorial\s/m);
  assert.deepEqual(running(s), ["azurite"], "dags list needs the ledger only");

  const first = await azflow(["dags", "test", "tutorial", day], 60_000, env);
  assert.equal(first.code, 0, first.out + first.err);
  assert.equal(first.err, "azflow: starting postgres (connection postgres_default); it keeps running for the next commands ('npx azflow services down' stops it)\n");
  assert.match(first.out, /DAG run tutorial manual__\S+: success/);
  assert.deepEqual(running(s), ["azurite", "postgres"]);

  for (const args of [["dags", "test", "tutorial", day], ["tasks", "test", "tutorial", "print_date", day], ["dags", "list", "-o", "json"]]) {
    const again = await azflow(args, 60_000, env);
    assert.equal(again.code, 0, `${args.join(" ")}: ${again.out}${again.err}`);
    assert.equal(again.err, "", `${args.join(" ")} started nothing`);
  }
  assert.deepEqual(running(s), ["azurite", "postgres"]);
});

test("a DAG with no task on the local Postgres starts Azurite alone, so does a bash task's tasks test; Azurite and Postgres started together are named in one line", async (t) => {
  if (!(await needService(t, "postgres"))) return;
  const { env, s } = await freshState(t);
  // child_dag_1 runs one bash task.
  const bashOnly = await azflow(["dags", "test", "child_dag_1", freshDay(41)], 60_000, env);
  assert.equal(bashOnly.code, 0, bashOnly.out + bashOnly.err);
  assert.equal(bashOnly.err, `${STARTS_AZURITE}\n`);
  assert.deepEqual(running(s), ["azurite"]);
  await azflow(["services", "down"], 60_000, env);

  const task = await azflow(["tasks", "test", "tutorial", "print_date", freshDay(41)], 60_000, env);
  assert.equal(task.code, 0, task.out + task.err);
  assert.equal(task.err, `${STARTS_AZURITE}\n`);
  await azflow(["services", "down"], 60_000, env);

  const both = await azflow(["dags", "test", "tutorial", freshDay(41)], 60_000, env);
  assert.equal(both.code, 0, both.out + both.err);
  assert.equal(both.err, "azflow: starting azurite (the run ledger) and postgres (connection postgres_default); they keep running for the next commands ('npx azflow services down' stops them)\n");
  assert.deepEqual(running(s), ["azurite", "postgres"]);
});

test("a port taken by another process: one line naming it, exit 1, nothing left running", async (t) => {
  if (!(await needService(t, "postgres"))) return;
  const { env, s } = await freshState(t);
  const holder = net.createServer();
  await new Promise<void>((resolve) => holder.listen(s.postgres.port, "127.0.0.1", resolve));
  t.after(() => holder.close());

  const r = await azflow(["dags", "test", "tutorial", freshDay(42)], 60_000, env);
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(r.out, "");
  assert.equal(r.err, `azflow: port ${s.postgres.port} for postgres is taken by another process; set AZFLOW_POSTGRES_PORT to a free port (or stop that process)\n`);
  assert.deepEqual(running(s), [], "Azurite was not started either: the ports are checked first");
  holder.close();
  assert.ok(await allPortsFree(s));
});

test("a service that fails while starting stops the ones the command started before it", async (t) => {
  if (!(await needService(t, "postgres"))) return;
  const { env, s } = await freshState(t);
  // Postgres cannot create its data directory under a file.
  fs.writeFileSync(path.join(s.localDir, "postgres"), "not a directory\n");

  const r = await azflow(["dags", "test", "tutorial", freshDay(43)], 60_000, env);
  assert.equal(r.code, 1, r.out + r.err);
  assert.equal(r.out, "");
  const lines = r.err.trim().split("\n");
  assert.equal(lines.length, 2, r.err);
  assert.match(lines[0], /^azflow: starting azurite \(the run ledger\) and postgres \(connection postgres_default\); they keep running/);
  assert.match(lines[1], /^azflow: postgres could not start \(.*ENOTDIR.*\); see \S*postgres\.log$/);
  assert.deepEqual(running(s), [], "Azurite, started first, was stopped again");
  assert.equal(readPidRecord(s, "azurite"), undefined);
  assert.ok(await allPortsFree(s), "nothing listens on the state's ports");
});

test("AzureWebJobsStorage naming a real storage account starts no Azurite", async (t) => {
  const { env, s } = await freshState(t);
  const account = "DefaultEndpointsProtocol=https;AccountName=azflowcheck;AccountKey=a2V5;EndpointSuffix=core.windows.net";
  const r = await azflow(["dags", "list"], 60_000, { ...env, AzureWebJobsStorage: account });
  // This machine reaches no Azure account: the ledger check fails, naming the setting to check.
  assert.equal(r.code, 1, r.out + r.err);
  assert.doesNotMatch(r.err, /starting/);
  assert.match(r.err, /^azflow: the run ledger's storage \(AzureWebJobsStorage\) is not reachable \(.*\); check AzureWebJobsStorage/);
  assert.deepEqual(running(s), []);
});
