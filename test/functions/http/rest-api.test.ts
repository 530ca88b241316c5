// The REST API v1 subset through the local host's real HTTP server and Durable client: DAGs,
// triggering runs, listing them and their task instances, checked field by field against
// Airflow 2.10's shapes, status codes, paging and problem bodies.
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { airflowIso } from "../../../orchestrations/runtime/time/time";
import { nextScheduledRun } from "../../../orchestrations/runtime/time/timetable";
import { catchupDag, dailyDag, manualDag, onceDag, pausedDag, testDags } from "../../apps/dag-runs/state";
import { azuriteConnectionString, needService } from "../../support/services";

type Json = Record<string, unknown>;
const ERRORS = "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html#section/Errors/";
const ISO_AIRFLOW = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/;

describe("REST API v1 (devhost)", () => {
  let host: RunningHost;
  let ready = false;

  before(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.AZFLOW_PAUSED_DAGS = pausedDag.dagId;
    const app = loadApp(path.join(__dirname, "..", "..", "apps", "dag-runs", "index.js"));
    host = await startHost({ app, port: 0, persist: false, timers: false, blobs: false, stateDir: os.tmpdir(), log: process.env.AZFLOW_TEST_HOST_LOG ? console.log : () => undefined });
    ready = true;
  });
  after(async () => {
    if (ready) await host.close();
  });

  const url = (p: string) => `${host.origin}/api/v1${p}`;
  async function get(p: string): Promise<{ status: number; body: Json; type: string | null }> {
    const res = await fetch(url(p));
    return { status: res.status, body: (await res.json()) as Json, type: res.headers.get("content-type") };
  }
  async function post(p: string, body: unknown): Promise<{ status: number; body: Json; type: string | null }> {
    const res = await fetch(url(p), { method: "POST", headers: { "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as Json, type: res.headers.get("content-type") };
  }
  function assertProblem(res: { status: number; body: Json; type: string | null }, status: number, kind: string, title: string, instance: string, detail: string | RegExp): void {
    assert.equal(res.status, status);
    assert.match(res.type ?? "", /application\/problem\+json/);
    const { detail: actualDetail, ...rest } = res.body;
    assert.deepEqual(rest, { instance, status, title, type: `${ERRORS}${kind}` });
    if (typeof detail === "string") assert.equal(actualDetail, detail);
    else assert.match(String(actualDetail), detail);
  }
  async function waitForRunState(dagId: string, runId: string, state: string): Promise<Json> {
    const status = await host.engine.waitForCompletion(instanceIdFor(dagId, runId), { timeoutMs: 20_000 });
    assert.equal(status.runtimeStatus, "Completed");
    const run = await get(`/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
    assert.equal(run.body.state, state);
    return run.body;
  }

  it("lists the DAGs sorted by id with every field of Airflow's DAG object", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const res = await get("/dags");
    assert.equal(res.status, 200);
    const ids = testDags.map((d) => d.dagId).sort();
    assert.deepEqual((res.body.dags as Json[]).map((d) => d.dag_id), ids);
    assert.equal(res.body.total_entries, 5);

    const daily = (res.body.dags as Json[]).find((d) => d.dag_id === dailyDag.dagId)!;
    const next = nextScheduledRun(dailyDag, null, new Date())!;
    assert.equal(typeof daily.last_parsed_time, "string");
    assert.match(String(daily.last_parsed_time), ISO_AIRFLOW);
    assert.equal(typeof daily.file_token, "string");
    const { last_parsed_time: _parsed, file_token: _token, ...rest } = daily;
    assert.deepEqual(rest, {
      dag_id: dailyDag.dagId,
      dag_display_name: dailyDag.dagId,
      root_dag_id: null,
      is_paused: false,
      is_active: true,
      is_subdag: false,
      last_pickled: null,
      last_expired: null,
      scheduler_lock: null,
      pickle_id: null,
      default_view: "grid",
      fileloc: `orchestrations/${dailyDag.dagId}.ts`,
      owners: ["airflow"],
      description: "Three tasks in a chain, daily, no catchup",
      schedule_interval: { __type: "CronExpression", value: "@daily" },
      timetable_description: "At 00:00",
      tags: [{ name: "azflow-test" }, { name: "daily" }],
      max_active_tasks: 16,
      max_active_runs: 16,
      max_consecutive_failed_dag_runs: 0,
      has_task_concurrency_limits: false,
      has_import_errors: false,
      // catchup=False: the latest completed interval, which ended at today's midnight.
      next_dagrun: airflowIso(next.logicalDate),
      next_dagrun_data_interval_start: airflowIso(next.dataInterval.start),
      next_dagrun_data_interval_end: airflowIso(Math.floor(Date.now() / 86_400_000) * 86_400_000),
      next_dagrun_create_after: airflowIso(next.runAfter),
    });
  });

  it("pages, orders and filters the DAG list, and refuses bad paging with 400", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const ids = testDags.map((d) => d.dagId).sort();
    const page = await get("/dags?limit=2&offset=1");
    assert.deepEqual([(page.body.dags as Json[]).map((d) => d.dag_id), page.body.total_entries], [ids.slice(1, 3), 5]);
    assert.equal(((await get("/dags?limit=1000")).body.dags as Json[]).length, 5, "a limit over 100 is lowered, not refused");
    assert.deepEqual(((await get("/dags?order_by=-dag_id")).body.dags as Json[]).map((d) => d.dag_id), [...ids].reverse());
    assert.deepEqual(((await get("/dags?tags=daily")).body.dags as Json[]).map((d) => d.dag_id), [dailyDag.dagId]);
    assert.deepEqual(((await get("/dags?paused=true")).body.dags as Json[]).map((d) => d.dag_id), [pausedDag.dagId]);
    assert.equal((await get("/dags?paused=false")).body.total_entries, 4);
    assert.deepEqual(((await get("/dags?dag_id_pattern=API_MANUAL")).body.dags as Json[]).map((d) => d.dag_id), [manualDag.dagId]);
    assert.equal(((await get("/dags?limit=0")).body.dags as Json[]).length, 5, "limit=0 falls back to the default page size, as Airflow's check_limit does");
    assertProblem(await get("/dags?limit=-1"), 400, "BadRequest", "Bad Request", "/api/v1/dags", "Page limit must be a positive integer");
    assertProblem(await get("/dags?offset=-1"), 400, "BadRequest", "Bad Request", "/api/v1/dags", "-1 is less than the minimum of 0 for query parameter 'offset'");
    assertProblem(await get("/dags?limit=ten"), 400, "BadRequest", "Bad Request", "/api/v1/dags", "Wrong type, expected 'integer' for query parameter 'limit'");
    assertProblem(await get("/dags?order_by=owner"), 400, "BadRequest", "Bad Request", "/api/v1/dags", "Ordering with 'owner' is disallowed or the attribute does not exist on the model");
  });

  it("shows each kind of schedule as Airflow does, and 404s an unknown DAG", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const paused = await get(`/dags/${pausedDag.dagId}`);
    assert.equal(paused.status, 200);
    assert.equal(paused.body.is_paused, true);
    assert.deepEqual(paused.body.schedule_interval, { __type: "TimeDelta", days: 0, seconds: 3600, microseconds: 0 });
    assert.equal(paused.body.timetable_description, "");
    assert.match(String(paused.body.next_dagrun), ISO_AIRFLOW);

    const manual = (await get(`/dags/${manualDag.dagId}`)).body;
    assert.deepEqual([manual.schedule_interval, manual.timetable_description, manual.next_dagrun, manual.next_dagrun_create_after, manual.tags, manual.description],
      [null, "Never, external triggers only", null, null, [], null]);
    const once = (await get(`/dags/${onceDag.dagId}`)).body;
    assert.deepEqual([once.schedule_interval, once.timetable_description, once.next_dagrun], [{ __type: "CronExpression", value: "@once" }, "Once, as soon as possible", "2024-01-01T00:00:00+00:00"]);

    assertProblem(await get("/dags/no_such_dag"), 404, "NotFound", "DAG not found", "/api/v1/dags/no_such_dag", "DAG with dag_id: 'no_such_dag' not found");
  });

  it("triggers a run: 200 with the run queued, then the orchestration runs it to success", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const created = await post(`/dags/${dailyDag.dagId}/dagRuns`, { dag_run_id: "rest_run_1", logical_date: "2024-03-05T06:30:00Z", conf: { table: "t1", n: [1, 2] }, note: "from the API" });
    assert.equal(created.status, 200);
    assert.match(created.type ?? "", /application\/json/);
    assert.deepEqual(created.body, {
      dag_run_id: "rest_run_1",
      dag_id: dailyDag.dagId,
      logical_date: "2024-03-05T06:30:00+00:00",
      execution_date: "2024-03-05T06:30:00+00:00",
      start_date: null,
      end_date: null,
      data_interval_start: "2024-03-04T00:00:00+00:00",
      data_interval_end: "2024-03-05T00:00:00+00:00",
      last_scheduling_decision: null,
      run_type: "manual",
      state: "queued",
      external_trigger: true,
      conf: { table: "t1", n: [1, 2] },
      note: "from the API",
    });

    const done = await waitForRunState(dailyDag.dagId, "rest_run_1", "success");
    // The stand-in orchestrator writes toISOString()'s "Z"; the API prints Airflow's +00:00.
    assert.match(String(done.start_date), ISO_AIRFLOW);
    assert.match(String(done.end_date), ISO_AIRFLOW);
    const { start_date: _s, end_date: _e, ...unchanged } = done;
    const { start_date: _s0, end_date: _e0, state: _q, ...asCreated } = created.body;
    assert.deepEqual(unchanged, { ...asCreated, state: "success" });

    const tis = await get(`/dags/${dailyDag.dagId}/dagRuns/rest_run_1/taskInstances`);
    assert.equal(tis.status, 200);
    assert.equal(tis.body.total_entries, 3);
    const list = tis.body.task_instances as Json[];
    assert.deepEqual(list.map((ti) => [ti.task_id, ti.priority_weight]), [["extract", 3], ["transform", 2], ["load", 1]], "upstream first; weight = 1 + downstream");
    for (const ti of list) {
      assert.match(String(ti.start_date), ISO_AIRFLOW);
      assert.match(String(ti.end_date), ISO_AIRFLOW);
    }
    const { start_date: _ts, end_date: _te, ...first } = list[0];
    assert.deepEqual(first, {
      task_id: "extract",
      task_display_name: "extract",
      dag_id: dailyDag.dagId,
      dag_run_id: "rest_run_1",
      execution_date: "2024-03-05T06:30:00+00:00",
      duration: 0.25,
      state: "success",
      try_number: 1,
      map_index: -1,
      max_tries: 0,
      hostname: "",
      unixname: "",
      pool: "default_pool",
      pool_slots: 1,
      queue: "default",
      priority_weight: 3,
      // No Airflow class stands for the test's "noop" operator: azflow's name in Airflow's style.
      operator: "NoopOperator",
      queued_when: null,
      pid: null,
      executor: null,
      executor_config: "{}",
      sla_miss: null,
      rendered_map_index: null,
      rendered_fields: {},
      trigger: null,
      triggerer_job: null,
      note: null,
      azflow_operator: "noop",
    });
    const paged = await get(`/dags/${dailyDag.dagId}/dagRuns/rest_run_1/taskInstances?limit=1&offset=2`);
    assert.deepEqual([(paged.body.task_instances as Json[]).map((ti) => ti.task_id), paged.body.total_entries], [["load"], 3]);
    assert.deepEqual((await get(`/dags/${dailyDag.dagId}/dagRuns/no_such_run/taskInstances`)).body, { task_instances: [], total_entries: 0 });
  });

  it("answers 409 for a taken run id or logical date, 404 for an unknown DAG, 400 for a bad body", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const runs = `/dags/${manualDag.dagId}/dagRuns`;
    const instance = `/api/v1${runs}`;
    assert.equal((await post(runs, { dag_run_id: "taken", logical_date: "2024-04-01T00:00:00+00:00" })).status, 200);
    assertProblem(await post(runs, { dag_run_id: "taken", logical_date: "2024-04-02T00:00:00+00:00" }), 409, "AlreadyExists", "Conflict", instance,
      `DAGRun with DAG ID: '${manualDag.dagId}' and DAGRun ID: 'taken' already exists`);
    assertProblem(await post(runs, { dag_run_id: "fresh", logical_date: "2024-04-01T02:00:00+02:00" }), 409, "AlreadyExists", "Conflict", instance,
      `DAGRun with DAG ID: '${manualDag.dagId}' and DAGRun logical date: '2024-04-01 00:00:00+00:00' already exists`);
    assertProblem(await post("/dags/no_such_dag/dagRuns", {}), 404, "NotFound", "DAG not found", "/api/v1/dags/no_such_dag/dagRuns", "DAG with dag_id: 'no_such_dag' not found");

    const bad: [unknown, string | RegExp][] = [
      [{ conf: [1] }, "conf must be a JSON object"],
      [{ conf: "x" }, "conf must be a JSON object"],
      [{ state: "success" }, "{'state': ['Unknown field.']}"],
      [{ logical_date: "last tuesday" }, "{'logical_date': ['Not a valid datetime.']}"],
      [{ dag_run_id: 42 }, "{'dag_run_id': ['Not a valid string.']}"],
      [{ dag_run_id: "a/b" }, /The run_id provided 'a\/b' does not match the pattern/],
      [{ logical_date: "2024-01-01T00:00:00Z", execution_date: "2024-01-02T00:00:00Z" }, "logical_date conflicts with execution_date"],
      [{ data_interval_start: "2024-01-01T00:00:00Z" }, "data_interval_start and data_interval_end must be given together"],
      ["{not json", /^Request body is not valid JSON/],
      ["[1,2]", "[1,2] is not of type 'object'"],
      ["", "RequestBody is required"],
    ];
    for (const [body, detail] of bad) assertProblem(await post(runs, body), 400, "BadRequest", "Bad Request", instance, detail);
    assert.equal(((await get(runs)).body.dag_runs as Json[]).length, 1, "nothing was created by the refused requests");
  });

  it("defaults the run id and logical date to manual__<now>, and accepts the deprecated execution_date", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const before = Date.now();
    const res = await post(`/dags/${catchupDag.dagId}/dagRuns`, {});
    assert.equal(res.status, 200);
    const logical = Date.parse(String(res.body.logical_date));
    assert.ok(logical >= before - 1000 && logical <= Date.now(), String(res.body.logical_date));
    assert.equal(res.body.dag_run_id, `manual__${res.body.logical_date}`);
    await waitForRunState(catchupDag.dagId, String(res.body.dag_run_id), "success");

    const legacy = await post(`/dags/${catchupDag.dagId}/dagRuns`, { execution_date: "2023-06-01T00:00:00+00:00" });
    assert.deepEqual([legacy.status, legacy.body.dag_run_id, legacy.body.logical_date], [200, "manual__2023-06-01T00:00:00+00:00", "2023-06-01T00:00:00+00:00"]);
  });

  it("lists runs in creation order (Airflow's id) with paging, ordering, filters, and 404s an unknown run", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const dagId = pausedDag.dagId;
    const runs = `/dags/${dagId}/dagRuns`;
    // A paused DAG still takes manual runs.
    for (const day of ["03", "01", "04", "02"]) {
      assert.equal((await post(runs, { dag_run_id: `r${day}`, logical_date: `2024-05-${day}T00:00:00Z` })).status, 200);
    }
    for (const day of ["03", "01", "04", "02"]) await waitForRunState(dagId, `r${day}`, "success");

    const all = await get(runs);
    assert.deepEqual([(all.body.dag_runs as Json[]).map((r) => r.dag_run_id), all.body.total_entries], [["r03", "r01", "r04", "r02"], 4]);
    const byDate = await get(`${runs}?order_by=execution_date`);
    assert.deepEqual((byDate.body.dag_runs as Json[]).map((r) => r.dag_run_id), ["r01", "r02", "r03", "r04"]);
    for (const r of all.body.dag_runs as Json[]) assert.deepEqual(Object.keys(r).sort(), [
      "conf", "dag_id", "dag_run_id", "data_interval_end", "data_interval_start", "end_date", "execution_date", "external_trigger",
      "last_scheduling_decision", "logical_date", "note", "run_type", "start_date", "state",
    ]);
    const page = await get(`${runs}?limit=2&offset=1&order_by=execution_date`);
    assert.deepEqual([(page.body.dag_runs as Json[]).map((r) => r.dag_run_id), page.body.total_entries], [["r02", "r03"], 4]);
    assert.deepEqual(((await get(`${runs}?order_by=-logical_date`)).body.dag_runs as Json[]).map((r) => r.dag_run_id), ["r04", "r03", "r02", "r01"]);
    assert.deepEqual(((await get(`${runs}?order_by=-dag_run_id&limit=1`)).body.dag_runs as Json[]).map((r) => r.dag_run_id), ["r04"]);
    const ranged = await get(`${runs}?execution_date_gte=2024-05-02T00:00:00Z&execution_date_lte=2024-05-03T00:00:00%2B00:00&order_by=execution_date`);
    assert.deepEqual([(ranged.body.dag_runs as Json[]).map((r) => r.dag_run_id), ranged.body.total_entries], [["r02", "r03"], 2]);
    assert.equal((await get(`${runs}?state=success`)).body.total_entries, 4);
    assert.equal((await get(`${runs}?state=queued&state=running`)).body.total_entries, 0);
    assertProblem(await get(`${runs}?order_by=bogus`), 400, "BadRequest", "Bad Request", `/api/v1${runs}`, "Ordering with 'bogus' is disallowed or the attribute does not exist on the model");
    assertProblem(await get(`${runs}?execution_date_gte=soon`), 400, "BadRequest", "Bad Request", `/api/v1${runs}`, /^'soon' is not a 'date-time' for query parameter 'execution_date_gte'/);

    // "~" lists runs of every DAG; an unknown DAG has no runs (200, like Airflow).
    const everything = await get("/dags/~/dagRuns?limit=100");
    const dagIds = new Set((everything.body.dag_runs as Json[]).map((r) => r.dag_id));
    assert.ok(dagIds.has(dagId) && dagIds.has(manualDag.dagId), [...dagIds].join(","));
    assert.deepEqual((await get("/dags/no_such_dag/dagRuns")).body, { dag_runs: [], total_entries: 0 });

    assertProblem(await get(`${runs}/nope`), 404, "NotFound", "DAGRun not found", `/api/v1${runs}/nope`, `DAGRun with DAG ID: '${dagId}' and DagRun ID: 'nope' not found`);
  });

  it("serves run ids with characters that need URL encoding", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const res = await post(`/dags/${onceDag.dagId}/dagRuns`, { logical_date: "2024-01-01T00:00:00+00:00" });
    assert.equal(res.body.dag_run_id, "manual__2024-01-01T00:00:00+00:00");
    await waitForRunState(onceDag.dagId, "manual__2024-01-01T00:00:00+00:00", "success");
    const tis = await get(`/dags/${onceDag.dagId}/dagRuns/${encodeURIComponent("manual__2024-01-01T00:00:00+00:00")}/taskInstances`);
    assert.deepEqual((tis.body.task_instances as Json[]).map((ti) => [ti.task_id, ti.state, ti.dag_run_id]), [["only", "success", "manual__2024-01-01T00:00:00+00:00"]]);
  });
});
