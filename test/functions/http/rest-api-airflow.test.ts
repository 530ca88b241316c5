// The REST API as Airflow's clients use it, through the local host with the real DAG orchestrator:
// what Airflow's client and spec found broken (dates, ordering, large bodies, long run ids,
// parallel triggers, task instances at creation, max_tries and operator, "~" lists and filters,
// lost orchestrations, unroutable run ids, unknown routes) and the operations tools call (DAG
// details, tasks, pausing, run changes, clear, task instances, logs, XComs, stats, Variables).
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { invokeFunction, instanceFileName, loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { scheduleFunctionName } from "../../../functions/triggers/schedule-trigger";
import { flakyVariable, flowDag, restDags, suffix, waitDag } from "../../apps/rest-api/state";
import { azuriteConnectionString, needService } from "../../support/services";
import { flushTaskLogs } from "../../../functions/activities/task-log-blob";

type Json = Record<string, unknown>;
interface Res {
  status: number;
  body: Json;
  text: string;
  type: string | null;
}

describe("REST API for Airflow's clients (devhost, real orchestrator)", () => {
  let host: RunningHost;
  let ready = false;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-rest-"));
  const appEntry = path.join(__dirname, "..", "..", "apps", "rest-api", "index.js");

  before(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.AIRFLOW_VAR_GREETING = "hi";
    process.env.AZFLOW_API_MAX_BODY_BYTES = String(2 * 1024 * 1024);
    const app = loadApp(appEntry);
    // persist: state files on disk, as `azflow host` keeps them (long run ids must fit).
    host = await startHost({ app, port: 0, persist: true, stateDir, timers: false, blobs: false, log: process.env.AZFLOW_TEST_HOST_LOG ? console.log : () => undefined });
    ready = true;
    // hello reads `settings` (var.json) and flaky reads its Variable: they exist before any run.
    if (!(process.env.AZFLOW_SERVICES_UNAVAILABLE ?? "").includes("azurite")) {
      for (const [key, value] of [["settings", JSON.stringify({ colour: "blue" })], [flakyVariable, "no"]]) {
        await fetch(`${host.origin}/api/v1/variables`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key, value }) });
      }
    }
  });
  after(async () => {
    if (ready) await host.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  async function call(method: string, p: string, body?: unknown, headers: Record<string, string> = {}): Promise<Res> {
    const res = await fetch(`${host.origin}/api/v1${p}`, {
      method,
      headers: { ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: Json = {};
    try {
      parsed = text ? (JSON.parse(text) as Json) : {};
    } catch {
      parsed = {};
    }
    return { status: res.status, body: parsed, text, type: res.headers.get("content-type") };
  }
  const get = (p: string, headers?: Record<string, string>) => call("GET", p, undefined, headers);
  const post = (p: string, body: unknown) => call("POST", p, body);
  const patch = (p: string, body: unknown) => call("PATCH", p, body);
  const runs = (dagId: string) => `/dags/${dagId}/dagRuns`;
  const enc = encodeURIComponent;

  async function finished(dagId: string, runId: string): Promise<Json> {
    await host.engine.waitForCompletion(instanceIdFor(dagId, runId), { timeoutMs: 60_000 });
    // The last lines of each try reach blob storage just after the try returns.
    await flushTaskLogs();
    return (await get(`${runs(dagId)}/${enc(runId)}`)).body;
  }
  async function untilRunning(dagId: string, runId: string): Promise<void> {
    const id = instanceIdFor(dagId, runId);
    for (let i = 0; i < 200; i++) {
      const s = host.engine.getStatus(id);
      if (s && s.runtimeStatus === "Running" && (await get(`${runs(dagId)}/${enc(runId)}`)).body.state === "running") return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`${runId} never started running`);
  }
  const tis = async (dagId: string, runId: string) => ((await get(`${runs(dagId)}/${enc(runId)}/taskInstances`)).body.task_instances as Json[]);

  it("refuses dates Python cannot hold, needs a time zone, and keeps microseconds", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const dagId = flowDag.dagId;
    const bad: [string, string | RegExp][] = [
      ["0000-01-01T00:00:00+00:00", "{'logical_date': ['Not a valid datetime.']}"],
      ["0001-01-01T00:30:00+01:00", "{'logical_date': ['Not a valid datetime.']}"],
      ["9999-12-31T23:00:00-02:00", "{'logical_date': ['Not a valid datetime.']}"],
      ["2024-01-01T00:00:00+99:99", "{'logical_date': ['Not a valid datetime.']}"],
      ["2024-02-30T00:00:00Z", "{'logical_date': ['Not a valid datetime.']}"],
      ["2024-01-01T00:00:00", "Naive datetime is disallowed"],
      ["2024-01-01", "Naive datetime is disallowed"],
    ];
    for (const [date, detail] of bad) {
      const res = await post(runs(dagId), { logical_date: date });
      assert.equal(res.status, 400, date);
      if (typeof detail === "string") assert.equal(res.body.detail, detail, date);
    }
    const plus5 = await post(runs(dagId), { dag_run_id: `plus5_${suffix}`, logical_date: "2031-01-01T05:00:00+05" });
    assert.equal(plus5.status, 200, plus5.text);
    assert.equal(plus5.body.logical_date, "2031-01-01T00:00:00+00:00");
    const a = await post(runs(dagId), { dag_run_id: `micro_a_${suffix}`, logical_date: "2031-02-01T00:00:00.123456Z" });
    const b = await post(runs(dagId), { dag_run_id: `micro_b_${suffix}`, logical_date: "2031-02-01T00:00:00.123789Z" });
    assert.deepEqual([a.status, a.body.logical_date, b.status, b.body.logical_date], [200, "2031-02-01T00:00:00.123456+00:00", 200, "2031-02-01T00:00:00.123789+00:00"]);
    const again = await post(runs(dagId), { dag_run_id: `micro_c_${suffix}`, logical_date: "2031-02-01T00:00:00.123456+00:00" });
    assert.equal(again.status, 409);
    assert.equal((await get(`${runs(dagId)}/micro_a_${suffix}`)).body.logical_date, "2031-02-01T00:00:00.123456+00:00");
    // A date filter in a query keeps microseconds too, and reads an unencoded "+" (a space) as Airflow does.
    const exact = await get(`${runs(dagId)}?execution_date_gte=2031-02-01T00:00:00.123789+00:00&execution_date_lte=2031-02-01T00:00:00.123789 00:00`);
    assert.deepEqual((exact.body.dag_runs as Json[]).map((r) => r.dag_run_id), [`micro_b_${suffix}`]);
    for (const id of [`plus5_${suffix}`, `micro_a_${suffix}`, `micro_b_${suffix}`]) await finished(dagId, id);
  });

  it("sorts only by known fields: prototype names and unknown fields are a 400; runs sort by updated_at and conf", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    for (const order of ["__proto__", "-__proto__", "hasOwnProperty", "constructor", "toString", "-valueOf", "bogus"]) {
      for (const p of ["/dags", runs(flowDag.dagId), "/variables", `/dags/${flowDag.dagId}/tasks`]) {
        const res = await get(`${p}?order_by=${enc(order)}`);
        assert.equal(res.status, 400, `${p} order_by=${order}`);
        assert.equal(res.body.detail, `Ordering with '${order.replace(/^-/, "")}' is disallowed or the attribute does not exist on the model`);
      }
    }
    const confs = [{ k: "b" }, { k: "a" }, { k: "c" }];
    for (const [i, conf] of confs.entries()) assert.equal((await post(runs(waitDag.dagId), { dag_run_id: `conf${i}_${suffix}`, conf })).status, 200);
    const byConf = await get(`${runs(waitDag.dagId)}?order_by=conf`);
    const mine = (byConf.body.dag_runs as Json[]).filter((r) => String(r.dag_run_id).startsWith("conf"));
    assert.deepEqual(mine.map((r) => (r.conf as Json).k), ["a", "b", "c"]);
    const byUpdate = await get(`${runs(waitDag.dagId)}?order_by=-updated_at`);
    assert.equal(byUpdate.status, 200);
    assert.equal((byUpdate.body.dag_runs as Json[]).length, byUpdate.body.total_entries);
    for (let i = 0; i < confs.length; i++) assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/conf${i}_${suffix}`)).status, 204);
  });

  it("keeps a large conf in blob storage and answers 413 past the body limit, with no storage internals in any answer", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const conf = { rows: Array.from({ length: 4000 }, (_, i) => ({ i, name: `row ${i} ${"x".repeat(40)}` })) };
    assert.ok(JSON.stringify(conf).length > 200_000);
    const created = await post(runs(flowDag.dagId), { dag_run_id: `bigconf_${suffix}`, conf });
    assert.equal(created.status, 200, created.text.slice(0, 300));
    assert.deepEqual(created.body.conf, conf);
    assert.deepEqual((await get(`${runs(flowDag.dagId)}/bigconf_${suffix}`)).body.conf, conf);
    const listed = (await get(`${runs(flowDag.dagId)}?limit=100`)).body.dag_runs as Json[];
    assert.deepEqual(listed.find((r) => r.dag_run_id === `bigconf_${suffix}`)?.conf, conf);
    await finished(flowDag.dagId, `bigconf_${suffix}`);

    const huge = JSON.stringify({ conf: { blob: "y".repeat(3 * 1024 * 1024) } });
    const refused = await post(runs(flowDag.dagId), huge);
    assert.equal(refused.status, 413);
    assert.match(refused.type ?? "", /application\/problem\+json/);
    assert.match(String(refused.body.detail), /larger than the API's limit of 2097152 bytes/);
    for (const res of [created, refused]) assert.doesNotMatch(res.text, /RestError|PropertyValueTooLarge|odata|Azurite|TableClient|stack/i);
  });

  it("takes a 250-character run id end to end, its local state file included", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runId = `long_${suffix}_`.padEnd(250, "x").slice(0, 240) + ":+.~-_0123";
    assert.equal(runId.length, 250);
    const created = await post(runs(flowDag.dagId), { dag_run_id: runId });
    assert.equal(created.status, 200, created.text);
    await host.engine.waitForCompletion(instanceIdFor(flowDag.dagId, runId), { timeoutMs: 60_000 });
    assert.equal((await get(`${runs(flowDag.dagId)}/${enc(runId)}`)).body.dag_run_id, runId);
    assert.ok((await tis(flowDag.dagId, runId)).length >= 5);
    const files = fs.readdirSync(path.join(stateDir, "instances", host.config.hubName));
    assert.ok(files.includes(instanceFileName(instanceIdFor(flowDag.dagId, runId))));
    assert.ok(files.every((f) => Buffer.byteLength(f) <= 255));
    assert.ok(Buffer.byteLength(instanceFileName(`d:${"%".repeat(256)}`)) + 4 <= 255);
    assert.equal((await post(runs(flowDag.dagId), { dag_run_id: "y".repeat(251) })).status, 400);
  });

  it("gives parallel triggers without a logical date distinct dates, never a 409", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const results = await Promise.all(Array.from({ length: 20 }, () => post(runs(waitDag.dagId), { conf: { parallel: true } })));
    assert.deepEqual(results.map((r) => r.status), Array(20).fill(200), results.map((r) => r.text).find((x) => !x.startsWith("{\"dag_run_id")) ?? "");
    assert.equal(new Set(results.map((r) => r.body.logical_date)).size, 20);
    for (const r of results) assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${enc(String(r.body.dag_run_id))}`)).status, 204);
  });

  it("creates every task instance (state none) with the run; max_tries is retries and operator Airflow's class", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runId = `tis_${suffix}`;
    assert.equal((await post(runs(waitDag.dagId), { dag_run_id: runId })).status, 200);
    const first = await tis(waitDag.dagId, runId);
    assert.deepEqual(first.map((ti) => ti.task_id), ["wait", "never"]);
    assert.equal(first.find((ti) => ti.task_id === "never")!.state, null);
    assert.deepEqual(first.map((ti) => [ti.operator, ti.azflow_operator, ti.max_tries, ti.map_index]), [["TimeDeltaSensor", "time_delta_sensor", 0, -1], ["PythonOperator", "python", 0, -1]]);
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${runId}`)).status, 204);

    const flowRun = `flowtis_${suffix}`;
    assert.equal((await post(runs(flowDag.dagId), { dag_run_id: flowRun })).status, 200);
    await finished(flowDag.dagId, flowRun);
    const done = await tis(flowDag.dagId, flowRun);
    assert.deepEqual(done.filter((ti) => ti.task_id === "doubled").map((ti) => ti.map_index), [0, 1, 2], "the unexpanded row gives way to the mapped instances");
    const flaky = done.find((ti) => ti.task_id === "flaky")!;
    assert.deepEqual([flaky.max_tries, flaky.try_number, flaky.operator], [2, 3, "PythonOperator"]);
  });

  it("lists task instances across DAGs and runs with '~' and every filter of Airflow's spec", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runId = `filters_${suffix}`;
    assert.equal((await post(runs(flowDag.dagId), { dag_run_id: runId, logical_date: "2032-03-01T00:00:00+00:00" })).status, 200);
    await finished(flowDag.dagId, runId);
    const all = await get("/dags/~/dagRuns/~/taskInstances?limit=0");
    assert.equal(all.status, 200);
    assert.ok((all.body.task_instances as Json[]).length > 0 && Number(all.body.total_entries) >= (all.body.task_instances as Json[]).length);
    const byRun = await get(`/dags/~/dagRuns/${runId}/taskInstances`);
    assert.equal(byRun.body.total_entries, 7);
    const byDag = await get(`/dags/${flowDag.dagId}/dagRuns/~/taskInstances?execution_date_gte=2032-03-01T00:00:00Z&execution_date_lte=2032-03-01T00:00:00%2B00:00`);
    assert.equal(byDag.body.total_entries, 7);
    const q = (s: string) => get(`/dags/${flowDag.dagId}/dagRuns/${runId}/taskInstances?${s}`);
    assert.deepEqual(((await q("state=failed")).body.task_instances as Json[]).map((ti) => ti.task_id), ["flaky"]);
    assert.deepEqual(((await q("state=upstream_failed&state=failed")).body.task_instances as Json[]).map((ti) => ti.task_id), ["flaky", "after"]);
    assert.equal((await q("pool=default_pool&queue=default")).body.total_entries, 7);
    assert.equal((await q("pool=other")).body.total_entries, 0);
    assert.equal((await q("executor=CeleryExecutor")).body.total_entries, 0);
    assert.equal((await q("duration_gte=0&duration_lte=3600")).body.total_entries, 7);
    assert.equal((await q("duration_gte=3600")).body.total_entries, 0);
    assert.equal((await q("start_date_gte=2000-01-01T00:00:00 00:00&end_date_lte=2999-01-01T00:00:00Z&updated_at_gte=2000-01-01T00:00:00Z")).body.total_entries, 7);
    assert.equal((await q("updated_at_lte=2000-01-01T00:00:00Z")).body.total_entries, 0);
    assert.equal((await q("limit=0")).body.task_instances && ((await q("limit=0")).body.task_instances as Json[]).length, 7);
    assert.equal((await q("duration_gte=soon")).status, 400);
    const batch = await post("/dags/~/dagRuns/~/taskInstances/list", { dag_ids: [flowDag.dagId], dag_run_ids: [runId], state: ["failed"] });
    assert.deepEqual((batch.body.task_instances as Json[]).map((ti) => ti.task_id), ["flaky"]);
    // dag_id_pattern is an ILIKE pattern (contains, "_" and "%" wildcards, any case).
    const pattern = (p: string) => get(`/dags?dag_id_pattern=${enc(p)}`).then((r) => (r.body.dags as Json[]).map((d) => d.dag_id));
    assert.deepEqual(await pattern(`REST_F%${suffix}`), [flowDag.dagId]);
    assert.deepEqual(await pattern(`rest_wai_${suffix}`), []);
    assert.deepEqual(await pattern(`rest_wa___${suffix}`), [waitDag.dagId]);
    const fields = await get(`${runs(flowDag.dagId)}?fields=dag_run_id&fields=state&limit=1`);
    assert.deepEqual(Object.keys((fields.body.dag_runs as Json[])[0]), ["dag_run_id", "state"]);
    assert.equal((await get(`${runs(flowDag.dagId)}?fields=nope`)).status, 400);
    assert.deepEqual(Object.keys((await get(`/dags/${flowDag.dagId}?fields=dag_id`)).body), ["dag_id"]);
    assert.equal((await get("/dags?only_active=false")).status, 200);
  });

  it("ends in the ledger a run whose orchestration was terminated or purged, and starts a queued run whose start was lost", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runId = `terminated_${suffix}`;
    assert.equal((await post(runs(waitDag.dagId), { dag_run_id: runId })).status, 200);
    await untilRunning(waitDag.dagId, runId);
    await host.engine.terminate(instanceIdFor(waitDag.dagId, runId), "by hand");
    await host.engine.waitForCompletion(instanceIdFor(waitDag.dagId, runId), { timeoutMs: 10_000 });
    const run = (await get(`${runs(waitDag.dagId)}/${runId}`)).body;
    assert.equal(run.state, "failed");
    assert.match(String(run.end_date), /\+00:00$/);
    const states = Object.fromEntries((await tis(waitDag.dagId, runId)).map((ti) => [ti.task_id, ti.state]));
    assert.deepEqual(states, { wait: "failed", never: "skipped" });
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${runId}`)).status, 204);

    // Once the start grace is over, a running run whose orchestration is gone (purged) ends, and a
    // queued run that never got one (its start was lost) is started under its own instance id.
    const { newDagRunRecord } = await import("../../../functions/runs/create-dag-run");
    const { appRunLedger } = await import("../../../functions/runs/app-run-ledger");
    const { START_GRACE_MS } = await import("../../../functions/runs/reconcile-runs");
    const old = new Date(Date.now() - START_GRACE_MS - 5000);
    const purged = { ...newDagRunRecord(waitDag, { runType: "manual", runId: `purged_${suffix}` }, old), state: "running" as const, start_date: old.toISOString() };
    assert.ok(await appRunLedger().createDagRun(purged));
    const lost = newDagRunRecord(waitDag, { runType: "manual", runId: `lost_${suffix}` }, old);
    assert.ok(await appRunLedger().createDagRun(lost));
    const young = newDagRunRecord(waitDag, { runType: "manual", runId: `young_${suffix}` }, new Date());
    assert.ok(await appRunLedger().createDagRun(young));
    const listed = ((await get(`${runs(waitDag.dagId)}?limit=100`)).body.dag_runs as Json[]);
    assert.equal(listed.find((r) => r.dag_run_id === `purged_${suffix}`)?.state, "failed");
    assert.equal(listed.find((r) => r.dag_run_id === `young_${suffix}`)?.state, "queued", "a run just created may not have its orchestration yet");
    assert.equal(host.engine.getStatus(young.instance_id), undefined, "and it is left to its creator");
    assert.ok(host.engine.getStatus(lost.instance_id), "the lost start was made up for");
    await untilRunning(waitDag.dagId, `lost_${suffix}`);
    for (const id of [`purged_${suffix}`, `lost_${suffix}`, `young_${suffix}`]) assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${id}`)).status, 204);
  });

  it("refuses run ids that cannot round-trip in a URL path, saying why", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    for (const id of [".", "..", "~"]) {
      const res = await post(runs(flowDag.dagId), { dag_run_id: id });
      assert.equal(res.status, 400, id);
      assert.match(String(res.body.detail), id === "~" ? /stands for every run/ : /removed from URL paths/);
    }
  });

  it("answers unknown routes and methods with Airflow's problem bodies", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const missing = await get("/connections");
    assert.equal(missing.status, 404);
    assert.match(missing.type ?? "", /application\/problem\+json/);
    assert.deepEqual(missing.body, {
      detail: "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.",
      instance: "/api/v1/connections", status: 404, title: "Not Found", type: "about:blank",
    });
    const wrongMethod = await call("PUT", `/dags/${flowDag.dagId}`, {});
    assert.deepEqual([wrongMethod.status, wrongMethod.body.title, wrongMethod.body.detail], [405, "Method Not Allowed", "The method is not allowed for the requested URL."]);
    assert.equal((await call("DELETE", `/dags/${flowDag.dagId}`)).status, 405);
    assert.equal((await get(`${runs(flowDag.dagId)}/x/taskInstances/t/listMapped`)).status, 404);
  });

  it("serves health, version, DAG details, its tasks and one task", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const health = await get("/health");
    assert.equal(health.status, 200);
    assert.deepEqual((health.body.metadatabase as Json).status, "healthy");
    assert.deepEqual((await get("/version")).body, { version: "2.10.5", git_version: "azflow-0.1.0" });
    const details = (await get(`/dags/${flowDag.dagId}/details`)).body;
    assert.deepEqual([details.dag_id, details.catchup, details.start_date, details.timezone, details.is_paused], [flowDag.dagId, true, "2024-01-01T00:00:00+00:00", "Timezone('UTC')", false]);
    const tasks = (await get(`/dags/${flowDag.dagId}/tasks`)).body;
    assert.deepEqual((tasks.tasks as Json[]).map((x) => x.task_id), ["after", "doubled", "flaky", "hello", "numbers"]);
    assert.deepEqual(((await get(`/dags/${flowDag.dagId}/tasks?order_by=-priority_weight`)).body.tasks as Json[]).map((x) => x.task_id), ["hello", "numbers", "doubled", "flaky", "after"]);
    const flaky = (await get(`/dags/${flowDag.dagId}/tasks/flaky`)).body;
    assert.deepEqual([flaky.class_ref, flaky.retries, flaky.retry_delay, flaky.downstream_task_ids, flaky.is_mapped, flaky.template_fields],
      [{ module_path: "airflow.operators.python", class_name: "PythonOperator" }, 2, { __type: "TimeDelta", days: 0, seconds: 1, microseconds: 0 }, ["after"], false, ["kwargs"]]);
    assert.equal((await get(`/dags/${flowDag.dagId}/tasks/doubled`)).body.is_mapped, true);
    assert.equal((await get(`/dags/${flowDag.dagId}/tasks/constructor`)).status, 404);
    assert.equal((await get("/dags/nope/details")).status, 404);
  });

  it("pauses and unpauses DAGs in Table Storage, and a paused DAG's timer creates no runs", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const paused = await patch(`/dags/${waitDag.dagId}?update_mask=is_paused`, { is_paused: true });
    assert.deepEqual([paused.status, paused.body.is_paused], [200, true]);
    assert.equal((await get(`/dags/${waitDag.dagId}`)).body.is_paused, true);
    assert.deepEqual(((await get("/dags?paused=true&tags=waiting")).body.dags as Json[]).map((d) => d.dag_id), [waitDag.dagId]);
    assert.equal((await patch(`/dags/${waitDag.dagId}?update_mask=description`, { is_paused: true })).status, 400);
    assert.equal((await patch(`/dags/${waitDag.dagId}`, { is_paused: "yes" })).status, 400);

    const app = loadApp(appEntry);
    const fire = () => {
      const fn = app.registry.get(scheduleFunctionName(waitDag.dagId))!;
      const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
      return invokeFunction(fn, timer, { timeoutMs: 30_000, extraInputsByType: { durableClient: host.api.clientData(host.origin) } });
    };
    const scheduled = async () => ((await get(`${runs(waitDag.dagId)}?limit=100`)).body.dag_runs as Json[]).filter((r) => r.run_type === "scheduled");
    await fire();
    assert.equal((await scheduled()).length, 0, "paused: the timer created nothing");

    const many = await patch(`/dags?dag_id_pattern=${enc(`rest_%_${suffix}`)}`, { is_paused: false });
    assert.deepEqual([many.status, (many.body.dags as Json[]).map((d) => [d.dag_id, d.is_paused]).sort()], [200, restDags.map((d) => [d.dagId, false]).sort()]);
    assert.equal((await patch("/dags", { is_paused: false })).status, 400, "dag_id_pattern is required");
    await fire();
    const created = await scheduled();
    assert.equal(created.length, 1, "unpaused: the timer creates the due run");
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${enc(String(created[0].dag_run_id))}`)).status, 204);
    assert.equal((await get(`${runs(waitDag.dagId)}/${enc(String(created[0].dag_run_id))}`)).status, 404);
  });

  it("marks a run success or failed, which ends its orchestration, and deletes runs", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    for (const state of ["success", "failed"] as const) {
      const runId = `mark_${state}_${suffix}`;
      assert.equal((await post(runs(waitDag.dagId), { dag_run_id: runId })).status, 200);
      await untilRunning(waitDag.dagId, runId);
      const marked = await patch(`${runs(waitDag.dagId)}/${runId}`, { state });
      assert.deepEqual([marked.status, marked.body.state], [200, state]);
      const status = await host.engine.waitForCompletion(instanceIdFor(waitDag.dagId, runId), { timeoutMs: 10_000 });
      assert.equal(status.runtimeStatus, "Terminated");
      const states = Object.fromEntries((await tis(waitDag.dagId, runId)).map((ti) => [ti.task_id, ti.state]));
      assert.deepEqual(states, state === "success" ? { wait: "success", never: "success" } : { wait: "failed", never: "skipped" });
      assert.equal((await get(`${runs(waitDag.dagId)}/${runId}`)).body.state, state, "the stopped orchestration's last writes do not bring it back");
    }
    const bad = await patch(`${runs(waitDag.dagId)}/mark_success_${suffix}`, { state: "running" });
    assert.deepEqual([bad.status, bad.body.detail], [400, "{'state': ['Must be one of: success, failed, queued.']}"]);
    assert.equal((await patch(`${runs(waitDag.dagId)}/nope`, { state: "success" })).status, 404);
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/mark_success_${suffix}`)).status, 204);
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/mark_success_${suffix}`)).status, 404);
    assert.equal((await tis(waitDag.dagId, `mark_success_${suffix}`)).length, 0);
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/mark_failed_${suffix}`)).status, 204);
  });

  it("clears failed task instances and reruns them in the same run; logs per try and XComs are served", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    assert.equal((await get(`/variables/${flakyVariable}`)).body.value, "no");
    const runId = `clear_${suffix}`;
    assert.equal((await post(runs(flowDag.dagId), { dag_run_id: runId })).status, 200);
    assert.equal((await finished(flowDag.dagId, runId)).state, "failed");
    const before = Object.fromEntries((await tis(flowDag.dagId, runId)).map((ti) => [`${ti.task_id}${Number(ti.map_index) >= 0 ? `[${String(ti.map_index)}]` : ""}`, ti]));
    assert.deepEqual([before.flaky.state, before.flaky.try_number, before.after.state], ["failed", 3, "upstream_failed"]);

    // Each try's log, masked and in Airflow's shape; text/plain too.
    const log1 = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/flaky/logs/1`);
    assert.equal(log1.status, 200);
    assert.match(String(log1.body.content), /^\[\('[^']*', '.*flaky sees ok=no.*Task failed with exception: flaky is not ok yet/s);
    const plain = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/flaky/logs/3?full_content=true`, { accept: "text/plain" });
    assert.match(plain.text, /\] \{python\} INFO - Starting attempt 3 of 3\n/);
    const hello = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/hello/logs/1`);
    assert.match(String(hello.body.content), /hello says hi in blue/, "var.value from AIRFLOW_VAR_GREETING, var.json from the stored Variable");
    const mappedLog = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/doubled/logs/1?map_index=2`);
    assert.match(String(mappedLog.body.content), /Marking task as SUCCESS/);
    assert.equal((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/nope/logs/1`)).status, 404);
    assert.equal((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/flaky/logs/1?token=garbage`)).status, 400);

    // XComs: a task's result is its return_value.
    const entries = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/~/xcomEntries`);
    assert.deepEqual((entries.body.xcom_entries as Json[]).map((e) => [e.task_id, e.map_index, e.key]).sort(),
      [["doubled", 0, "return_value"], ["doubled", 1, "return_value"], ["doubled", 2, "return_value"], ["hello", -1, "return_value"], ["numbers", -1, "return_value"]]);
    const value = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/hello/xcomEntries/return_value`);
    assert.equal(value.body.value, "{'greeting': 'hi'}");
    assert.deepEqual((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/doubled/xcomEntries/return_value?map_index=1&stringify=false`)).body.value, 4);

    // dry_run (the default) lists; only_failed (the default) picks flaky and after.
    const dry = await post(`/dags/${flowDag.dagId}/clearTaskInstances`, { dag_run_id: runId });
    assert.deepEqual((dry.body.task_instances as Json[]).map((ti) => [ti.task_id, ti.dag_run_id]), [["flaky", runId], ["after", runId]]);
    assert.deepEqual(((await post(`/dags/${flowDag.dagId}/clearTaskInstances`, { dag_run_id: runId, task_ids: ["numbers"], only_failed: false, include_downstream: true })).body.task_instances as Json[]).map((ti) => ti.task_id),
      ["numbers", "doubled", "doubled", "doubled", "flaky", "after"]);
    assert.equal((await post(`/dags/${flowDag.dagId}/clearTaskInstances`, { dag_run_id: "nope" })).status, 404);
    assert.equal((await post(`/dags/${flowDag.dagId}/clearTaskInstances`, { task_ids: [] })).status, 400);

    assert.equal((await patch(`/variables/${flakyVariable}`, { key: flakyVariable, value: "yes" })).status, 200);
    const cleared = await post(`/dags/${flowDag.dagId}/clearTaskInstances`, { dag_run_id: runId, dry_run: false });
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal((await finished(flowDag.dagId, runId)).state, "success");
    const afterClear = Object.fromEntries((await tis(flowDag.dagId, runId)).map((ti) => [`${ti.task_id}${Number(ti.map_index) >= 0 ? `[${String(ti.map_index)}]` : ""}`, ti]));
    assert.deepEqual([afterClear.flaky.state, afterClear.after.state], ["success", "success"]);
    // Tasks not cleared keep their results, times and tries, as Airflow leaves them.
    assert.deepEqual([afterClear.hello.start_date, afterClear.hello.try_number, afterClear["doubled[1]"].end_date], [before.hello.start_date, 1, before["doubled[1]"].end_date]);

    // A run whose orchestration still runs cannot be cleared under it.
    const waiting = `clearwait_${suffix}`;
    assert.equal((await post(runs(waitDag.dagId), { dag_run_id: waiting })).status, 200);
    await untilRunning(waitDag.dagId, waiting);
    const refused = await post(`/dags/${waitDag.dagId}/clearTaskInstances`, { dag_run_id: waiting, only_failed: false, dry_run: false });
    assert.equal(refused.status, 409);
    assert.match(String(refused.body.detail), /still running/);
    assert.equal((await call("DELETE", `${runs(waitDag.dagId)}/${waiting}`)).status, 204);
  });

  it("serves single task instances, dagStats, and Variables with AIRFLOW_VAR_ settings read-only", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runId = `single_${suffix}`;
    assert.equal((await post(runs(flowDag.dagId), { dag_run_id: runId })).status, 200);
    await finished(flowDag.dagId, runId);
    const one = await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/hello`);
    assert.deepEqual([one.status, one.body.task_id, one.body.state, one.body.try_number], [200, "hello", "success", 1]);
    assert.equal((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/doubled/2`)).body.map_index, 2);
    assert.equal((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/doubled`)).status, 404, "a mapped task has no unmapped instance");
    assert.equal((await get(`${runs(flowDag.dagId)}/${runId}/taskInstances/doubled/7`)).status, 404);

    const stats = await get(`/dagStats?dag_ids=${flowDag.dagId},nope`);
    const flow = (stats.body.dags as Json[])[0];
    assert.deepEqual([stats.body.total_entries, flow.dag_id, (flow.stats as Json[]).map((s) => s.state)], [1, flowDag.dagId, ["queued", "running", "success", "failed"]]);
    assert.ok(((flow.stats as Json[]).find((s) => s.state === "success")!.count as number) >= 1);
    assert.equal((await get("/dagStats")).status, 400);

    const key = `var_${suffix}`;
    assert.deepEqual((await post("/variables", { key, value: "v1", description: "d" })).body, { key, value: "v1", description: "d" });
    assert.deepEqual((await get(`/variables/${key}`)).body, { key, value: "v1", description: "d" });
    assert.deepEqual((await patch(`/variables/${key}?update_mask=value`, { key, value: "v2", description: "ignored" })).body, { key, value: "v2", description: "d" });
    assert.equal((await patch(`/variables/${key}`, { key: "other", value: "x" })).status, 400);
    assert.equal((await post("/variables", { key })).status, 400);
    const listed = (await get("/variables?limit=100&order_by=key")).body.variables as Json[];
    assert.ok(listed.some((v) => v.key === key) && listed.some((v) => v.key === "greeting" && v.value === "hi"));
    assert.equal((await get("/variables/greeting")).body.value, "hi");
    for (const res of [await patch("/variables/greeting", { key: "greeting", value: "x" }), await call("DELETE", "/variables/greeting"), await post("/variables", { key: "greeting", value: "x" })]) {
      assert.equal(res.status, 400);
      assert.match(String(res.body.detail), /AIRFLOW_VAR_GREETING/);
    }
    assert.equal((await call("DELETE", `/variables/${key}`)).status, 204);
    assert.equal((await get(`/variables/${key}`)).status, 404);
  });

  it("serves an OpenAPI document of exactly the operations it registers", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const res = await fetch(`${host.origin}/api/v1/openapi.yaml`);
    assert.equal(res.status, 200);
    const doc = parse(await res.text()) as { paths: Record<string, Record<string, { operationId: string }>>; info: { version: string } };
    assert.equal(doc.info.version, "2.10.5");
    const documented = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).filter((k) => ["get", "post", "patch", "put", "delete"].includes(k)).map((m) => `${m.toUpperCase()} ${p}`)).sort();
    const { registeredApiRoutes } = await import("../../../functions/http/api/api-route");
    const served = registeredApiRoutes().filter((r) => r.template !== "openapi.yaml").map((r) => `${r.method} /${r.template.replace(/\{(\w+):\w+\}/g, "{$1}")}`).sort();
    assert.deepEqual(documented, served);
    assert.equal(doc.paths["/dags/{dag_id}/dagRuns"].post.operationId, "post_dag_run");
  });

  it("answers GET polls with an ETag and 304 while nothing changed", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const first = await fetch(`${host.origin}/api/v1/dags/${flowDag.dagId}`);
    const etag = first.headers.get("etag");
    assert.ok(etag);
    const again = await fetch(`${host.origin}/api/v1/dags/${flowDag.dagId}`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
  });
});
