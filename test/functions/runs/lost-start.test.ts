// The crash window of run creation: the ledger row is written, then the orchestration started. A
// creator process really killed (SIGKILL) between the two leaves a queued run with no
// orchestration; the host started afterwards finds it at start-up and starts it under its derived
// instance id, so the run completes, its max_active_runs slot and its logical date are free again
// (the next scheduled dates run), and a late duplicate start of it is a no-op.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as df from "durable-functions";
import { createInvocationContext } from "../../../tools/devhost/invoke";
import { loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { applyLocalAppSettings } from "../../../tools/services/app-env";
import { azuriteConnectionString, needService, settings, uniqueName } from "../../support/services";
import { waitFor } from "../../tools/devhost/helpers";

const appDir = path.resolve(__dirname, "..", "..", "apps", "lost-start");

describe("a run whose creator was killed between its ledger row and its orchestration", () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-lost-start-"));
  const logFile = path.join(stateDir, "executions.log");
  let host: RunningHost | undefined;

  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite"))) return;
    const day = new Date(Date.now() - 3 * 86_400_000).toISOString().slice(0, 10);
    Object.assign(process.env, { LOST_START_SUFFIX: uniqueName("r"), LOST_START_LOG: logFile, LOST_START_FROM: day, AzureWebJobsStorage: azuriteConnectionString() });
    applyLocalAppSettings(settings());
  });
  after(async () => {
    await host?.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it("is started when the host comes up, runs once, and frees max_active_runs and its date", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const crashed = spawn(process.execPath, [path.join(appDir, "crash-after-insert.js")], { env: process.env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    crashed.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => crashed.on("exit", (_code, s) => resolve(s)));
    assert.equal(signal, "SIGKILL", `the creator was killed at its start step (${stderr})`);

    const app = loadApp(path.join(appDir, "index.js"));
    const { LOST_START_DAG } = (await import(path.join(appDir, "index.js"))) as { LOST_START_DAG: string };
    const { appRunLedger } = await import("../../../functions/runs/app-run-ledger");
    const ledger = appRunLedger();
    const [lost, ...others] = await ledger.listDagRuns(LOST_START_DAG);
    assert.equal(others.length, 0, "max_active_runs 1: the first due run only");
    assert.equal(lost.state, "queued");
    assert.equal(fs.existsSync(logFile), false, "nothing ran");

    host = await startHost({ app, port: 0, stateDir, persist: true, blobs: false, log: () => undefined });
    // The reconcile timer runs at start-up; each run that ends lets the scheduler create the next.
    const runs = await waitFor("the lost run and the two later due dates to succeed", async () => {
      const all = await ledger.listDagRuns(LOST_START_DAG);
      return all.length === 3 && all.every((r) => r.state === "success") ? all : undefined;
    }, 60_000, 250);
    assert.ok(runs.some((r) => r.dag_run_id === lost.dag_run_id && r.logical_date === lost.logical_date), "the lost run ran under its own id and date");
    assert.equal(host.engine.getStatus(lost.instance_id)?.runtimeStatus, "Completed", "under its derived instance id");
    const executions = () => fs.readFileSync(logFile, "utf8").trim().split("\n");
    assert.deepEqual([...executions()].sort(), runs.map((r) => r.dag_run_id).sort(), "every run's task ran exactly once");

    // The killed creator's start, had it come late after all, is a no-op: the run does not run again.
    const fn = app.registry.list().find((f) => f.name === "reconcile_runs")!;
    const context = createInvocationContext(fn, { extraInputsByType: { durableClient: host.api.clientData(host.origin) } });
    const { durableClientStarter } = await import("../../../functions/runs/orchestration-starter");
    const { dagRunInput } = await import("../../../functions/runs/create-dag-run");
    const outcome = await durableClientStarter(df.getClient(context)).start(LOST_START_DAG, lost.instance_id, dagRunInput(lost), lost.queued_at!);
    assert.equal(outcome, "exists");
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(host.engine.getStatus(lost.instance_id)?.runtimeStatus, "Completed");
    assert.equal(executions().length, 3);
  });
});
