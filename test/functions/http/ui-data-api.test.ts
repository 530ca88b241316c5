// What the web UI reads beyond Airflow's v1 list: Airflow's grid_data and graph_data shapes at
// /api/object/, rendered template fields on task instances, a 404 problem for the log of a try that
// does not exist, and the UI's static files (SPA fallback, no path escapes, no data). Through the
// local host with the real DAG orchestrator on Azurite.
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { flakyVariable, flowDag } from "../../apps/web-ui/state";
import { azuriteConnectionString, needService } from "../../support/services";

type Json = Record<string, unknown>;
interface GridChild { id: string | null; label: string | null; children?: GridChild[]; instances: Json[]; is_mapped?: boolean; operator?: string; trigger_rule?: string }

describe("UI data API and static files (devhost, real orchestrator)", () => {
  let host: RunningHost | undefined;
  let runId = "";

  before(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    if ((process.env.AZFLOW_SERVICES_UNAVAILABLE ?? "").includes("azurite")) return;
    const app = loadApp(path.join(__dirname, "..", "..", "apps", "web-ui", "index.js"));
    host = await startHost({ app, port: 0, persist: false, timers: false, blobs: false, log: () => undefined });
    await call("POST", "/api/v1/variables", { key: flakyVariable, value: "no" });
    const run = await call("POST", `/api/v1/dags/${flowDag.dagId}/dagRuns`, { conf: { who: "api" } });
    runId = String(run.body.dag_run_id);
    await host.engine.waitForCompletion(instanceIdFor(flowDag.dagId, runId), { timeoutMs: 60_000 });
  });
  after(async () => {
    await host?.close();
  });

  async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${host!.origin}${p}`, {
      method, headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Json = {};
    try {
      parsed = JSON.parse(text) as Json;
    } catch {
      parsed = {};
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  it("grid_data: the task-group tree with each run's states, mapped tasks summarised, in Airflow's shape", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const res = await call("GET", `/api/object/grid_data?dag_id=${flowDag.dagId}&num_runs=5`);
    assert.equal(res.status, 200);
    const groups = res.body.groups as GridChild;
    assert.equal(groups.id, null);
    assert.deepEqual(groups.children!.map((c) => c.id), ["greet", "process", "choose", "path_a", "path_b", "flaky", "finish"]);
    const process = groups.children!.find((c) => c.id === "process")!;
    assert.deepEqual(process.children!.map((c) => [c.id, c.label]), [["process.numbers", "numbers"], ["process.doubled", "doubled"]]);
    assert.deepEqual(process.instances.map((i) => [i.run_id, i.state]), [[runId, "success"]]);
    const doubled = process.children![1];
    assert.equal(doubled.is_mapped, true);
    assert.deepEqual(doubled.instances[0].mapped_states, { success: 3 });
    const flaky = groups.children!.find((c) => c.id === "flaky")!;
    assert.equal(flaky.trigger_rule, "none_failed_min_one_success");
    assert.equal(flaky.operator, "PythonOperator");
    assert.deepEqual([flaky.instances[0].state, flaky.instances[0].try_number], ["failed", 1]);
    assert.equal(groups.children!.find((c) => c.id === "choose")!.operator, "BranchPythonOperator");
    const runs = res.body.dag_runs as Json[];
    assert.equal(runs.length, 1);
    assert.deepEqual([runs[0].run_id, runs[0].state, runs[0].run_type, runs[0].conf, runs[0].conf_is_json], [runId, "failed", "manual", '{"who":"api"}', true]);
    assert.deepEqual(res.body.ordering, ["data_interval_end", "execution_date"]);
    // Polled with its ETag: 304 while nothing changed.
    const again = await call("GET", `/api/object/grid_data?dag_id=${flowDag.dagId}&num_runs=5`, undefined, { "if-none-match": res.headers.get("etag")! });
    assert.equal(again.status, 304);
  });

  it("grid_data and graph_data refuse an unknown DAG, a missing dag_id and a bad num_runs with problem bodies", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const unknown = await call("GET", "/api/object/grid_data?dag_id=nope");
    assert.deepEqual([unknown.status, unknown.body.title, unknown.body.detail], [404, "DAG not found", "DAG with dag_id: 'nope' not found"]);
    assert.equal(unknown.headers.get("content-type"), "application/problem+json");
    assert.equal((await call("GET", "/api/object/graph_data?dag_id=nope")).status, 404);
    assert.equal((await call("GET", "/api/object/graph_data")).status, 400);
    const bad = await call("GET", `/api/object/grid_data?dag_id=${flowDag.dagId}&num_runs=lots`);
    assert.deepEqual([bad.status, bad.body.detail], [400, "num_runs must be a positive integer, got 'lots'"]);
  });

  it("graph_data: nodes as the task-group tree and every edge, laid out left to right", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const res = await call("GET", `/api/object/graph_data?dag_id=${flowDag.dagId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.arrange, "LR");
    const nodes = res.body.nodes as { id: string | null; value: Json; children?: { id: string; value: Json; children?: unknown[] }[] };
    const group = nodes.children!.find((c) => c.id === "process")!;
    assert.deepEqual(group.children!.map((c) => (c as { id: string }).id), ["process.doubled", "process.numbers"]);
    assert.equal((group.children![0] as { value: Json }).value.isMapped, true);
    const edges = (res.body.edges as { source_id: string; target_id: string }[]).map((e) => `${e.source_id}>${e.target_id}`);
    for (const e of ["greet>process.numbers", "process.numbers>process.doubled", "process.doubled>choose", "choose>path_a", "choose>path_b", "path_a>flaky", "flaky>finish"]) assert.ok(edges.includes(e), e);
  });

  it("a task instance carries its attempt's rendered template fields", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const greet = await call("GET", `/api/v1/dags/${flowDag.dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/greet`);
    const kwargs = (greet.body.rendered_fields as Json).kwargs as Json;
    assert.equal(kwargs.who, "api");
    assert.match(String(kwargs.day), /^\d{4}-\d{2}-\d{2}$/);
    const flaky = await call("GET", `/api/v1/dags/${flowDag.dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances/flaky`);
    assert.deepEqual(flaky.body.rendered_fields, { kwargs: { ok: "no" } });
  });

  it("the log of a try that does not exist is a 404 problem naming the tries there are", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const base = `/api/v1/dags/${flowDag.dagId}/dagRuns/${encodeURIComponent(runId)}/taskInstances`;
    assert.equal((await call("GET", `${base}/flaky/logs/1`)).status, 200);
    for (const tryNumber of [0, 2]) {
      const res = await call("GET", `${base}/flaky/logs/${tryNumber}`);
      assert.equal(res.status, 404);
      assert.equal(res.body.title, "Task instance try not found");
      assert.match(String(res.body.detail), new RegExp(`Try ${tryNumber} of task 'flaky' of run '.*' does not exist: its tries are 1 to 1`));
    }
  });

  it("serves the built UI anonymously: index for any view, assets by name, nothing outside dist/ui", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const index = await call("GET", "/api/ui/");
    assert.equal(index.status, 200);
    assert.match(index.headers.get("content-type")!, /text\/html/);
    assert.match(index.headers.get("content-security-policy")!, /default-src 'self'/);
    assert.match(index.text, /<div id="root"><\/div>/);
    const script = /src="(\/api\/ui\/assets\/[^"]+\.js)"/.exec(index.text)![1];
    const asset = await call("GET", script, undefined, { "accept-encoding": "gzip" });
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get("cache-control")!, /immutable/);
    const view = await call("GET", `/api/ui/dags/${flowDag.dagId}/runs/x/tasks/y`);
    assert.deepEqual([view.status, view.text], [200, index.text]);
    assert.equal((await call("GET", "/api/ui/assets/missing.js")).status, 404);
    for (const escape of ["/api/ui/..%2F..%2Fpackage.json", "/api/ui/%2e%2e/%2e%2e/package.json", "/api/ui/..%5C..%5Cpackage.json"]) {
      const res = await call("GET", escape);
      assert.ok(res.status === 404 || (res.status === 200 && res.text === index.text), `${escape}: ${res.status}`);
      assert.doesNotMatch(res.text, /"name": "azflow"/);
    }
    assert.equal((await call("POST", "/api/ui/")).status, 405);
  });
});
