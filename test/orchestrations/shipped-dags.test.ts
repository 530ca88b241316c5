// Every shipped DAG (the internet sources stood in for by tools/fixtures on loopback) and a hostile
// DAG (task code that logs, prints, throws and returns a connection's password and a storage
// account key, and a bash task echoing $AIRFLOW_CONN_*) run once on the local host, through the
// REST API, against Postgres logged into with a distinctive password (with a `+` in it). Two
// checks share the one pass, as each run costs tens of seconds:
// - the extension-faithful replay: each orchestration completes (no re-sent action, no result
//   matched to the wrong task, no yield the extension would still wait on), each activity is
//   scheduled once per attempt, and the cost per task instance in Durable actions stays low;
// - the secret scan: every place a run leaves text is searched for the secrets: orchestration
//   history (the state files and the engine), the ledger, the task logs (per-try log blobs, the
//   telemetry file, the host's console), XComs (inline and offloaded), the REST API's answers and
//   the command lines of child processes. 0 hits.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Client } from "pg";
import { loadApp, startHost, type RunningHost } from "../../tools/devhost";
import { applyLocalAppSettings } from "../../tools/services/app-env";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import { azuriteConnectionString, needService, pgConfig, settings, uniqueName } from "../support/services";
import { startSources } from "../support/source-fixtures";
import { assertActionCosts, assertScheduledOnce } from "../support/replay-checks";

type Json = Record<string, unknown>;

// Every child process the app starts, as its command line: the module's own exports object, which
// the compiled code reads each call from.
const commandLines: string[] = [];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const cp = require("node:child_process") as Record<string, (...args: unknown[]) => unknown>;
for (const name of ["spawn", "spawnSync", "execFile", "execFileSync", "exec", "execSync", "fork"] as const) {
  const original = cp[name];
  cp[name] = (...args: unknown[]) => {
    commandLines.push([args[0], ...(Array.isArray(args[1]) ? args[1] : [])].map(String).join(" "));
    return original(...args);
  };
}

const suffix = uniqueName("scan");
const ROLE = `scan_${suffix}`;
// Distinctive, with a `+` (kept by Airflow's unquote) and characters a URI encodes.
const PASSWORD = `Sc4n+Pw/${randomBytes(6).toString("hex")}@zz`;
const PG_URI = `postgres://${ROLE}:${encodeURIComponent(PASSWORD).replace("%2B", "+")}@127.0.0.1:${settings().postgres.port}/${ROLE}`;
const localDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-scan-"));
process.env.AZFLOW_LOCAL_DIR = localDir;

/** A past date of its own per DAG and test run (the ledger and the tables outlive test runs). */
function freshDate(dagId: string): string {
  const day = new Date((15_000 + Math.floor(Math.random() * 3_000)) * 86_400_000).toISOString().slice(0, 10);
  return dagId === "ny_taxi_ingest" ? `${day.slice(0, 7)}-02T07:00:00Z` : `${day}T00:00:00Z`;
}

describe("every shipped DAG on the local host: replayed as the extension replays, and no secret left anywhere", () => {
  let host: RunningHost;
  let sources: Awaited<ReturnType<typeof startSources>> | undefined;
  const stateDir = path.join(localDir, "devhost");
  const hostLog: string[] = [];

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    const admin = new Client(pgConfig());
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD.replace(/'/g, "''")}'`);
      await admin.query(`CREATE DATABASE ${ROLE} OWNER ${ROLE}`);
    } finally {
      await admin.end();
    }
    // The tables sensor_with_conditions's SQL sensors read (the demo seeds them the same way).
    const db = new Client(pgConfig(ROLE));
    await db.connect();
    try {
      for (const table of ["magic", "technology"]) {
        await db.query(`CREATE TABLE ${table} (created timestamp NOT NULL)`);
        await db.query(`ALTER TABLE ${table} OWNER TO ${ROLE}`);
      }
    } finally {
      await db.end();
    }
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.AIRFLOW_CONN_POSTGRES_DEFAULT = PG_URI;
    applyLocalAppSettings(settings());
    sources = await startSources({ seed: "secret-scan" });
    const app = loadApp(path.resolve(__dirname, "..", "apps", "secret-scan", "index.js"));
    host = await startHost({ app, port: 0, mode: "test", persist: true, stateDir, timers: false, blobs: false, log: (line) => hostLog.push(line) });
  });
  after(async () => {
    await host?.close();
    await sources?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
    if (fs.existsSync(stateDir)) {
      const admin = new Client(pgConfig());
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS ${ROLE}`).catch(() => undefined);
      await admin.query(`DROP ROLE IF EXISTS ${ROLE}`).catch(() => undefined);
      await admin.end();
    }
    fs.rmSync(localDir, { recursive: true, force: true });
  });

  async function api(p: string, init?: RequestInit): Promise<{ status: number; text: string; body: Json }> {
    const res = await fetch(`${host.origin}/api/v1${p}`, init);
    const text = await res.text();
    let body: Json = {};
    try {
      body = JSON.parse(text) as Json;
    } catch {
      body = {};
    }
    return { status: res.status, text, body };
  }

  it("each run completes with every activity scheduled once per attempt; 0 secret hits in history, ledger, task logs, telemetry, XComs, API answers and command lines", async (t) => {
    if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
    const { listDags } = await import("../../functions/dag-registry");
    const { appRunLedger } = await import("../../functions/runs/app-run-ledger");
    const { flushTaskLogs } = await import("../../functions/activities/task-log-blob");
    const { appBlobService } = await import("../../functions/hooks/app-storage");
    const { appConfig } = await import("../../functions/config");
    const ledger = appRunLedger();
    const apiAnswers: string[] = [];
    const get = async (p: string): Promise<Json> => {
      const r = await api(p);
      apiAnswers.push(r.text);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      return r.body;
    };

    // Every DAG the app registers, through the REST API as a user triggers them, once: those whose
    // data another one makes after it (listDags is alphabetical: micro_batching_load_data would come
    // before the tables exist, finance_elt before its files), the finance DAGs kept small. Two are
    // not triggered here: micro_batching_transform_data runs as load_data's TriggerDagRun starts
    // it (checked below with the other triggered runs), and finance_ml is left to its own test
    // (test/orchestrations/finance_ml.test.ts, with the same replay checks): each of their runs
    // costs a minute of Spark start-ups, and the transformation's spark-submit command lines are
    // scanned here.
    const triggered: { dagId: string; runId: string }[] = [];
    const firstDags = ["micro_batching_prepare_env", "finance_generate_and_upload", "finance_elt"];
    const notTriggered = ["micro_batching_transform_data", "finance_ml"];
    const order = (dagId: string) => (firstDags.includes(dagId) ? firstDags.indexOf(dagId) : firstDags.length);
    const conf: Record<string, Json> = { finance_generate_and_upload: { files: 2 } };
    for (const dag of [...listDags()].filter((d) => !notTriggered.includes(d.dagId)).sort((a, b) => order(a.dagId) - order(b.dagId))) {
      const runId = `scan__${suffix}`;
      const r = await api(`/dags/${dag.dagId}/dagRuns`, {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ dag_run_id: runId, logical_date: freshDate(dag.dagId), conf: { message: "from the secret scan", ...conf[dag.dagId] } }),
      });
      apiAnswers.push(r.text);
      assert.equal(r.status, 200, `${dag.dagId}: ${r.text}`);
      await host.engine.waitForCompletion(instanceIdFor(dag.dagId, runId), { timeoutMs: 300_000 });
      triggered.push({ dagId: dag.dagId, runId });
    }
    // Runs started by TriggerDagRun (parent_dag's child, the micro-batching chain) run to the end
    // too, and every run, triggered either way, passes the replay checks.
    for (const s of host.engine.list()) {
      const status = await host.engine.waitForCompletion(s.instanceId, { timeoutMs: 300_000 });
      const dagId = status.name; // a DAG's orchestrator function is named after it
      assert.equal(status.runtimeStatus, "Completed", `${s.instanceId}: ${JSON.stringify(status.failure ?? status.output)}`);
      const history = (host.engine.getStatus(s.instanceId, { showHistory: true })?.history ?? []) as unknown as Json[];
      assertScheduledOnce(dagId, history);
      if (dagId !== "hostile_secrets") assertActionCosts(dagId, history, status.output as Json);
    }
    await flushTaskLogs();

    const runs = (await Promise.all(listDags().map((d) => ledger.listDagRuns(d.dagId)))).flat()
      .filter((r) => host.engine.getStatus(r.instance_id) !== undefined);
    const states = Object.fromEntries(runs.map((r) => [`${r.dag_id}/${r.dag_run_id}`, r.state]));
    for (const [key, state] of Object.entries(states)) {
      // The shipped DAGs succeed (so the distinctive password did log in to Postgres); the hostile one fails by design.
      const [dagId, runId] = key.split("/");
      assert.equal(state, dagId === "hostile_secrets" ? "failed" : "success", `${key}: ${JSON.stringify(await ledger.listTaskInstances(dagId, runId))}`);
    }
    for (const { dagId, runId } of triggered) assert.ok(states[`${dagId}/${runId}`], `${dagId}/${runId} has a run row`);
    assert.ok(runs.some((r) => r.dag_id === "micro_batching_transform_data"), "load_data's trigger ran the transformation");

    const places = new Map<string, string[]>();
    const add = (where: string, text: string) => places.set(where, [...(places.get(where) ?? []), text]);
    // Orchestration history: the state files on disk and what the engine holds.
    const instancesDir = path.join(stateDir, "instances");
    for (const dir of fs.readdirSync(instancesDir)) {
      for (const file of fs.readdirSync(path.join(instancesDir, dir))) add("orchestration state files", fs.readFileSync(path.join(instancesDir, dir, file), "utf8"));
    }
    for (const s of host.engine.list()) add("orchestration history", JSON.stringify(host.engine.getStatus(s.instanceId, { showHistory: true })));
    const logs = appBlobService().getContainerClient(appConfig().logContainer);
    const stateContainer = appBlobService().getContainerClient(appConfig().stateContainer);
    let logBlobs = 0;
    for (const run of runs) {
      add("ledger runs", JSON.stringify(run));
      const tis = await ledger.listTaskInstances(run.dag_id, run.dag_run_id);
      add("ledger task instances (errors, XComs)", JSON.stringify(tis));
      for await (const b of logs.listBlobsFlat({ prefix: `dag_id=${run.dag_id}/run_id=${run.dag_run_id}/` })) {
        add("task log blobs", (await logs.getBlobClient(b.name).downloadToBuffer()).toString("utf8"));
        logBlobs++;
      }
      if (await stateContainer.exists()) {
        for await (const b of stateContainer.listBlobsFlat({ prefix: `xcom/${encodeURIComponent(run.dag_id)}/${encodeURIComponent(run.dag_run_id)}/` })) {
          add("offloaded XComs", (await stateContainer.getBlobClient(b.name).downloadToBuffer()).toString("utf8"));
        }
      }
      // The REST API's answers about the run.
      const base = `/dags/${run.dag_id}/dagRuns/${encodeURIComponent(run.dag_run_id)}`;
      await get(base);
      const list = (await get(`${base}/taskInstances?limit=100`)).task_instances as Json[];
      for (const ti of list) {
        const tiPath = `${base}/taskInstances/${encodeURIComponent(String(ti.task_id))}`;
        for (let attempt = 1; attempt <= Number(ti.try_number); attempt++) {
          if (Number(ti.map_index) >= 0) continue;
          const r = await api(`${tiPath}/logs/${attempt}?full_content=true`, { headers: { accept: "text/plain" } });
          apiAnswers.push(r.text);
        }
        if (Number(ti.map_index) < 0) {
          const xcoms = (await get(`${tiPath}/xcomEntries`)).xcom_entries as Json[];
          for (const x of xcoms) await get(`${tiPath}/xcomEntries/${encodeURIComponent(String(x.key))}?deserialize=true`);
        }
      }
    }
    for (const dag of listDags()) await get(`/dags/${dag.dagId}/dagRuns?limit=100`);
    await get("/dags/~/dagRuns?limit=100");
    add("REST API answers", apiAnswers.join("\n"));
    const telemetry = path.join(localDir, "logs", "telemetry.jsonl");
    add("telemetry file", fs.readFileSync(telemetry, "utf8"));
    add("host console", hostLog.join("\n"));
    add("child command lines", commandLines.join("\n"));

    // The hostile tasks did try: their leaks are there, masked.
    const hostileLog = places.get("task log blobs")!.find((text) => text.includes("console.log:")) ?? "";
    assert.match(hostileLog, /console\.log: \*\*\* \*\*\*/);
    assert.match(hostileLog, /ctx\.log: password \*\*\*, account key \*\*\*/);
    assert.ok(logBlobs > 20, `${logBlobs} log blobs`);
    assert.ok(commandLines.some((l) => l.startsWith("bash -c")), "bash tasks ran");

    const accountKey = /AccountKey=([^;]+)/.exec(String(process.env.AzureWebJobsStorage))![1];
    const secrets = [
      PASSWORD, encodeURIComponent(PASSWORD), encodeURIComponent(PASSWORD).replace("%2B", "+"), PG_URI,
      Buffer.from(`${ROLE}:${PASSWORD}`).toString("base64"), accountKey, encodeURIComponent(accountKey),
    ];
    const hits: string[] = [];
    for (const [where, texts] of places) {
      for (const secret of secrets) {
        const count = texts.reduce((n, text) => n + text.split(secret).length - 1, 0);
        if (count) hits.push(`${where}: ${count} x ${secret.slice(0, 6)}...`);
      }
    }
    assert.deepEqual(hits, [], "secrets found");
    t.diagnostic(`searched ${[...places.values()].reduce((n, texts) => n + texts.reduce((m, x) => m + x.length, 0), 0)} characters in ${places.size} places, ${runs.length} runs, ${logBlobs} log blobs, ${commandLines.length} command lines`);
  });
});
