// Telemetry to Application Insights with the real Azure Monitor exporter, sending to a local
// HTTPS server that speaks the ingestion API (the connection string's IngestionEndpoint points at
// it) in place of Azure. The app side runs in a child process started with the environment a
// deployment has; it invokes a task activity with a known trace context and runs DAGs on the local
// runtime against Azurite and Postgres. The test reads the envelopes the exporter sent and checks
// dimensions, trace correlation and metric values.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { Client } from "pg";
import { SPAN_ID, TRACE_ID } from "../../apps/telemetry/scenario";
import { startIngestionServer, type Envelope, type IngestionServer } from "../../support/ingestion-server";
import { azuriteConnectionString, needService, pgConfig, uniqueName } from "../../support/services";

const IKEY = "11111111-2222-4333-8444-555555555555";
const SCENARIO = path.resolve(__dirname, "..", "..", "apps", "telemetry", "scenario.js");

interface ScenarioOutput {
  outcome: string;
  hostLines: string[];
  ok?: { runId: string; state: string; tasks: unknown[] };
  failed?: { runId: string; state: string };
}

/** The app side, as a deployment runs it: its own process with the telemetry settings in its environment. */
function runScenario(server: IngestionServer, args: string[]): Promise<ScenarioOutput> {
  const child = spawn(process.execPath, [SCENARIO, ...args], {
    env: {
      ...process.env,
      APPLICATIONINSIGHTS_CONNECTION_STRING: `InstrumentationKey=${IKEY};IngestionEndpoint=${server.url}`,
      NODE_EXTRA_CA_CERTS: server.caFile,
      // Statsbeat would report to Microsoft's own endpoints: nothing leaves this machine in tests.
      APPLICATION_INSIGHTS_NO_STATSBEAT: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once("close", (code) => {
      const last = stdout.trim().split("\n").pop() ?? "";
      if (code !== 0 || !last.startsWith("{")) reject(new Error(`scenario exited ${code}:\n${stdout}\n${stderr}`));
      else resolve(JSON.parse(last) as ScenarioOutput);
    });
  });
}

function props(e: Envelope): Record<string, string> {
  return (e.data.baseData.properties ?? {}) as Record<string, string>;
}

function messages(server: IngestionServer): Envelope[] {
  return server.envelopes.filter((e) => e.data.baseType === "MessageData");
}

/** Metric data points by metric name: { value, count, properties }. */
function metricPoints(server: IngestionServer, name: string): { value: number; count: number; properties: Record<string, string> }[] {
  const out: { value: number; count: number; properties: Record<string, string> }[] = [];
  for (const e of server.envelopes.filter((x) => x.data.baseType === "MetricData")) {
    const metrics = e.data.baseData.metrics as { name: string; value: number; count?: number }[];
    for (const m of metrics.filter((x) => x.name === name)) out.push({ value: m.value, count: m.count ?? 1, properties: props(e) });
  }
  return out;
}

describe("telemetry to Application Insights (local HTTPS server speaking the ingestion API in place of Azure)", () => {
  let server: IngestionServer;

  before(async () => {
    server = await startIngestionServer();
  });

  after(async () => {
    await server.close();
  });

  it("a task's log lines carry the task-instance key and the invocation's trace as operation", async () => {
    const out = await runScenario(server, []);
    assert.equal(out.outcome, "success");
    const line = messages(server).find((e) => e.data.baseData.message === "a line from task code");
    assert.ok(line, `the line was sent; got ${JSON.stringify(messages(server).map((m) => m.data.baseData.message))}`);
    assert.equal(line.iKey, IKEY);
    assert.equal(line.data.baseData.severityLevel, "Information");
    assert.deepEqual(
      { dag_id: props(line).dag_id, run_id: props(line).run_id, task_id: props(line).task_id, try_number: props(line).try_number, map_index: props(line).map_index, operator: props(line).operator },
      { dag_id: "direct_dag", run_id: "manual__2024-05-01T00:00:00+00:00", task_id: "direct_task", try_number: "2", map_index: "3", operator: "python" },
    );
    assert.equal(line.tags?.["ai.operation.id"], TRACE_ID, "the line belongs to the invocation's operation");
    assert.equal(line.tags?.["ai.operation.parentId"], SPAN_ID);
    // With Application Insights on, the line is not also sent through the host's log (it would appear twice).
    assert.ok(!out.hostLines.some((l) => l.includes("a line from task code")), out.hostLines.join("\n"));

    const duration = metricPoints(server, "azflow.task.duration").find((p) => p.properties.task_id === "direct_task");
    assert.ok(duration, "the attempt's duration was sent");
    assert.equal(duration.properties.state, "success");
    assert.equal(duration.properties.map_index, "3");
    assert.equal(duration.properties.run_id, "manual__2024-05-01T00:00:00+00:00");
    assert.ok(duration.value >= 0 && duration.value < 60, `a duration in seconds: ${duration.value}`);
  });

  it("DAG runs on the local runtime report lines, task durations, rows loaded and run outcomes", async (t: TestContext) => {
    if (!(await needService(t, "azurite")) || !(await needService(t, "postgres"))) return;
    const container = uniqueName("tel");
    const table = uniqueName("tel_rows_");
    const blobs = BlobServiceClient.fromConnectionString(azuriteConnectionString());
    await blobs.createContainer(container);
    const csv = "id,name\n1,a\n2,b\n3,c\n4,d\n5,e\n";
    await blobs.getContainerClient(container).getBlockBlobClient("rows.csv").upload(csv, Buffer.byteLength(csv));
    const pg = new Client(pgConfig());
    await pg.connect();
    await pg.query(`CREATE TABLE ${table} (id int, name text)`);
    try {
      const out = await runScenario(server, ["--dags", container, table]);
      assert.equal(out.ok?.state, "success", JSON.stringify(out.ok?.tasks));
      assert.equal(out.failed?.state, "failed");
      const okRun = out.ok.runId;
      const failedRun = out.failed.runId;

      const lines = messages(server).filter((e) => props(e).run_id === okRun);
      const said = lines.filter((e) => String(e.data.baseData.message).startsWith("saying "));
      assert.deepEqual(said.map((e) => [props(e).task_id, props(e).map_index, e.data.baseData.message]).sort(),
        [["each", "0", "saying a"], ["each", "1", "saying b"], ["say", "-1", "saying hello"]]);
      for (const e of lines) {
        assert.equal(props(e).dag_id, "telemetry_ok");
        assert.equal(props(e).try_number, "1");
        assert.match(e.tags?.["ai.operation.id"] ?? "", /^[0-9a-f]{32}$/, "every line carries its invocation's trace id");
      }

      const durations = metricPoints(server, "azflow.task.duration").filter((p) => p.properties.run_id === okRun);
      assert.deepEqual(durations.map((p) => `${p.properties.task_id}[${p.properties.map_index}]:${p.properties.state}`).sort(),
        ["each[0]:success", "each[1]:success", "load[-1]:success", "say[-1]:success"]);
      const loaded = metricPoints(server, "azflow.rows.loaded").filter((p) => p.properties.run_id === okRun);
      assert.equal(loaded.length, 1);
      assert.equal(loaded[0].value, 5, "five CSV rows loaded");
      assert.equal(loaded[0].properties.target, table);
      assert.equal(loaded[0].properties.task_id, "load");

      const outcomes = metricPoints(server, "azflow.dag_run.outcome").filter((p) => [okRun, failedRun].includes(p.properties.run_id));
      assert.deepEqual(outcomes.map((p) => `${p.properties.dag_id}:${p.properties.state}:${p.value}`).sort(),
        ["telemetry_fails:failed:1", "telemetry_ok:success:1"]);
      const failure = messages(server).find((e) => props(e).run_id === failedRun && props(e).task_id === "boom" && /always fails/.test(String(e.data.baseData.message)));
      assert.ok(failure, "the failing task's error line was sent");
      assert.equal(failure.data.baseData.severityLevel, "Error");
      assert.match(String(failure.data.baseData.message), /this task always fails/);
    } finally {
      await pg.query(`DROP TABLE IF EXISTS ${table}`);
      await pg.end();
      await blobs.deleteContainer(container).catch(() => undefined);
    }
  });
});
