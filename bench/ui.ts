// Benchmark: the web UI's grid against the local host (`azflow host`'s startHost), in headless
// Chromium (Debian's package, playwright-core). A 50-task DAG with 100 runs, and a 300-task DAG
// with 100 runs (the "stays usable" size): the time from navigation to the grid's first render
// with every run drawn, measured in the browser (performance.now() from the page's time origin),
// cold (first visit) and warm (median of the next visits); the graph of the 300-task DAG; and the
// API calls behind the grid (GET /api/v1/dags/{id} and /api/object/grid_data?num_runs=100), timed
// from a client outside the browser: p50 and p95.
//
// The runs are written straight into the run ledger (Azurite) with realistic states, times and
// tries: the benchmark measures reading and drawing them, not running 5,000 tasks. Needs Azurite
// (started here when it is not running, and stopped again). Last line: one JSON object.
import * as os from "node:os";
import * as path from "node:path";
import { chromium } from "playwright-core";
import type { CompiledDag } from "../orchestrations/runtime/model/compiled-dag";
import type { DagRunRecord, TaskInstanceRecord } from "../functions/ledger/records";
import { RunLedger, taskPartition } from "../functions/ledger/run-ledger";
import { loadApp, startHost } from "../tools/devhost";
import { applyLocalAppSettings } from "../tools/services/app-env";
import { downService, upService } from "../tools/services/lifecycle";
import { SERVICES } from "../tools/services/registry";
import { serviceSettings } from "../tools/services/settings";
import { CHROMIUM_FLAGS, chromiumMissing, chromiumPath } from "../test/support/browser";

const RUNS = 100;
const VISITS = 6;
const API_CALLS = 40;
const DAY_MS = 86_400_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (n: number) => Math.round(n * 10) / 10;

/** 100 finished runs, one a day; every seventh fails at a task of its last chain. */
async function seedRuns(ledger: RunLedger, dag: CompiledDag): Promise<void> {
  const base = Date.UTC(2025, 0, 1);
  for (let r = 0; r < RUNS; r++) {
    const logical = new Date(base + r * DAY_MS);
    const start = logical.getTime() + DAY_MS + 60_000;
    const failed = r % 7 === 3;
    const runId = `scheduled__${logical.toISOString().replace(".000Z", "+00:00")}`;
    const rows: (Partial<TaskInstanceRecord> & { task_id: string; map_index: number })[] = [];
    let clock = start;
    let failedAt = -1;
    dag.taskOrder.forEach((taskId, i) => {
      const task = dag.tasks[taskId];
      let state: TaskInstanceRecord["state"] = "success";
      if (taskId === "alert") state = "skipped";
      else if (failed && failedAt < 0 && i >= dag.taskOrder.length - 8 && task.operator === "python") {
        state = "failed";
        failedAt = i;
      } else if (failedAt >= 0 && task.upstream.some((u) => rows.some((x) => x.task_id === u && (x.state === "failed" || x.state === "upstream_failed")))) state = "upstream_failed";
      const seconds = state === "success" || state === "failed" ? 1 + ((i * 7 + r) % 9) : 0;
      const instances = task.mapping ? [0, 1, 2, 3] : [-1];
      for (const mapIndex of instances) {
        rows.push({
          task_id: taskId, map_index: mapIndex, state, try_number: state === "skipped" || state === "upstream_failed" ? 0 : state === "failed" ? 2 : 1,
          max_tries: 1, operator: task.operator, start_date: seconds ? new Date(clock).toISOString() : null,
          end_date: new Date(clock + seconds * 1000).toISOString(), duration: seconds, error: state === "failed" ? "bench failure" : null, xcom: null,
        });
      }
      clock += seconds * 1000;
    });
    const run: DagRunRecord = {
      dag_id: dag.dagId, dag_run_id: runId, instance_id: `${dag.dagId}:${runId}`, logical_date: logical.toISOString(),
      data_interval_start: logical.toISOString(), data_interval_end: new Date(logical.getTime() + DAY_MS).toISOString(),
      run_type: "scheduled", state: failed ? "failed" : "success", external_trigger: false, conf: {}, note: null,
      queued_at: new Date(start - 1000).toISOString(), start_date: new Date(start).toISOString(), end_date: new Date(clock).toISOString(),
    };
    await ledger.createDagRun(run);
    await ledger.mergeTaskInstances(dag.dagId, runId, rows);
  }
}

/** Removes what seedRuns wrote: each run's rows in batches of 100 (one partition each), then the runs. */
async function removeRuns(ledger: RunLedger, dagId: string): Promise<void> {
  for (const run of await ledger.listDagRuns(dagId)) {
    const partition = taskPartition(dagId, run.dag_run_id);
    const keys: string[] = [];
    for await (const e of ledger.tasks.listEntities({ queryOptions: { filter: `PartitionKey eq '${partition.replace(/'/g, "''")}'`, select: ["RowKey"] } })) keys.push(e.rowKey!);
    for (let i = 0; i < keys.length; i += 100) await ledger.tasks.submitTransaction(keys.slice(i, i + 100).map((rk) => ["delete", { partitionKey: partition, rowKey: rk }] as const));
    await ledger.deleteRun(dagId, run.dag_run_id);
  }
}

async function main(): Promise<void> {
  const missing = chromiumMissing();
  if (missing) throw new Error(missing);
  const settings = serviceSettings();
  applyLocalAppSettings(settings);
  const azurite = SERVICES.find((s) => s.name === "azurite")!;
  const up = await upService(azurite, settings);
  const app = loadApp(path.join(__dirname, "apps", "ui-grid.js"));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { grid50, grid300 } = require("./apps/ui-grid") as typeof import("./apps/ui-grid");
  console.log(`web UI benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, Chromium ${chromiumPath()}`);
  const ledger = new RunLedger();
  let seeded = Date.now();
  await seedRuns(ledger, grid50);
  await seedRuns(ledger, grid300);
  seeded = Date.now() - seeded;
  console.log(`seeded ${RUNS} runs of ${grid50.taskOrder.length} and of ${grid300.taskOrder.length} tasks into the ledger in ${(seeded / 1000).toFixed(1)} s`);
  // As for a DAG whose runs ended a while ago: the API keeps a finished run's task instances once
  // its row has been still for 30 s (functions/http/api/object/grid-data.ts). The first call below
  // reads the ledger; the figures after it show the kept rows.
  await new Promise((r) => setTimeout(r, 31_000));

  const host = await startHost({ app, port: 0, persist: false, timers: false, blobs: false, log: () => undefined });
  const browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: CHROMIUM_FLAGS });
  try {
    // The API behind the grid, from outside the browser: full answers, no If-None-Match.
    const gridUrl = (dagId: string) => `${host.origin}/api/object/grid_data?dag_id=${dagId}&num_runs=${RUNS}`;
    const timings: Record<string, number[]> = { dag: [], grid_data: [] };
    let gridBytes = 0;
    let firstGridMs = 0;
    for (let i = 0; i < API_CALLS + 3; i++) {
      for (const [name, url] of [["dag", `${host.origin}/api/v1/dags/${grid50.dagId}`], ["grid_data", gridUrl(grid50.dagId)]] as const) {
        const t0 = performance.now();
        const res = await fetch(url);
        const body = await res.arrayBuffer();
        if (!res.ok) throw new Error(`${url}: ${res.status} ${Buffer.from(body).toString()}`);
        if (name === "grid_data") gridBytes = body.byteLength;
        if (name === "grid_data" && i === 0) firstGridMs = performance.now() - t0;
        // The first calls warm the process (JIT, table clients): not counted.
        if (i >= 3) timings[name].push(performance.now() - t0);
      }
    }
    const all = [...timings.dag, ...timings.grid_data];
    for (const [name, list] of Object.entries(timings)) {
      console.log(`api ${name.padEnd(10)} p50 ${percentile(list, 50).toFixed(1)} ms  p95 ${percentile(list, 95).toFixed(1)} ms  (${list.length} calls)`);
    }
    console.log(`grid_data for ${RUNS} runs x ${grid50.taskOrder.length} tasks: ${(gridBytes / 1024).toFixed(0)} KiB; the first call, reading the ledger: ${firstGridMs.toFixed(1)} ms`);

    // The grid in the browser: a fresh context (cold cache) for the first visit, then warm visits.
    // bypassCSP: the probes below are evaluated as strings, which the page's CSP (no eval) would refuse.
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, bypassCSP: true });
    const page = await context.newPage();
    const renderGrid = async (dagId: string) => {
      await page.goto(`${host.origin}/api/ui/dags/${dagId}/grid?num_runs=${RUNS}`, { waitUntil: "commit" });
      // Evaluated in the page (strings: this file is compiled without the DOM's types).
      const ms = await page.waitForFunction(`(() => {
        const grid = document.querySelector('[data-testid="grid"]');
        return grid && grid.getAttribute("data-rendered-runs") === "${RUNS}" && grid.querySelector(".grid-row .cell") ? performance.now() : false;
      })()`, undefined, { polling: "raf", timeout: 30_000 });
      const api = (await page.evaluate(`performance.getEntriesByType("resource")
        .filter((e) => /grid_data|\\/api\\/v1\\/dags\\//.test(e.name)).map((e) => e.responseEnd - e.startTime)`)) as number[];
      return { render: (await ms.jsonValue()) as number, api };
    };
    const visits50: number[] = [];
    const browserApi: number[] = [];
    for (let i = 0; i < VISITS; i++) {
      const v = await renderGrid(grid50.dagId);
      visits50.push(v.render);
      browserApi.push(...v.api);
    }
    await page.screenshot({ path: path.join(settings.localDir, "test-output", "ui", "bench-grid-100-runs.png") }).catch(() => undefined);
    const visits300: number[] = [];
    for (let i = 0; i < 3; i++) visits300.push((await renderGrid(grid300.dagId)).render);
    // The 300-task grid scrolls: its virtualised rows keep the page responsive at the bottom too.
    const scrollStart = (await page.evaluate("performance.now()")) as number;
    await page.evaluate(`document.querySelector(".grid-scroll").scrollTo(0, 1e6)`);
    await page.waitForSelector('[data-row="end"]');
    const scrollMs = ((await page.evaluate("performance.now()")) as number) - scrollStart;
    await page.goto(`${host.origin}/api/ui/dags/${grid300.dagId}/graph`, { waitUntil: "commit" });
    const graphMs = (await (await page.waitForFunction(`document.querySelectorAll(".graph-task").length >= ${grid300.taskOrder.length} ? performance.now() : false`, undefined, { polling: "raf", timeout: 60_000 })).jsonValue()) as number;
    await page.screenshot({ path: path.join(settings.localDir, "test-output", "ui", "bench-graph-300.png") }).catch(() => undefined);
    await context.close();

    const warm = visits50.slice(1);
    const figures = {
      grid_render_ms: round(percentile(warm, 50)),
      grid_render_cold_ms: round(visits50[0]),
      grid300_render_ms: round(percentile(visits300.slice(1), 50)),
      grid300_scroll_to_end_ms: round(scrollMs),
      graph300_render_ms: round(graphMs),
      api_p50_ms: round(percentile(all, 50)),
      api_p95_ms: round(percentile(all, 95)),
      grid_data_p95_ms: round(percentile(timings.grid_data, 95)),
      grid_data_from_ledger_ms: round(firstGridMs),
      grid_data_in_browser_p50_ms: round(percentile(browserApi, 50)),
      grid_data_kib: Math.round(gridBytes / 1024),
    };
    console.log(`grid, ${RUNS} runs x ${grid50.taskOrder.length} tasks: first render ${figures.grid_render_cold_ms} ms cold, ${figures.grid_render_ms} ms warm (median of ${warm.length})  target < 1000 ms  ${figures.grid_render_ms < 1000 && figures.grid_render_cold_ms < 1000 ? "ok" : "OVER"}`);
    console.log(`grid, ${RUNS} runs x ${grid300.taskOrder.length} tasks: ${figures.grid300_render_ms} ms; scrolled to its last row in ${figures.grid300_scroll_to_end_ms} ms`);
    console.log(`graph of ${grid300.taskOrder.length} tasks laid out and drawn: ${figures.graph300_render_ms} ms`);
    console.log(JSON.stringify(figures));
  } finally {
    await browser.close();
    await host.close();
    for (const d of [grid50, grid300]) await removeRuns(ledger, d.dagId);
    if (up.state === "started") await downService(azurite, settings);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
