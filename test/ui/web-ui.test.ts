// The web UI in a real browser: headless Chromium (Debian's package, driven by playwright-core)
// against the local host serving the app's UI and REST API, with real runs of the real DAG
// orchestrator on Azurite. What Airflow users do from its UI: read the grid (checked against the
// ledger), open a failed task's log, clear it so it runs again, trigger with a conf the run
// receives, pause a scheduled DAG so its timer starts no more runs, and meet clear messages for
// bad input. Screenshots of each view go to .local/test-output/ui/.
import assert from "node:assert/strict";
import * as path from "node:path";
import { after, before, describe, it, type TestContext } from "node:test";
import type { Page } from "playwright-core";
import { loadApp, startHost, type RunningHost } from "../../tools/devhost";
import { instanceIdFor } from "../../orchestrations/runtime/time/run-ids";
import { appRunLedger } from "../../functions/runs/app-run-ledger";
import { flushTaskLogs } from "../../functions/activities/task-log-blob";
import { summaryState } from "../../functions/http/api/object/state-priority";
import { flakyVariable, flowDag, tickDag, waitDag } from "../apps/web-ui/state";
import { launchChromium, needChromium, screenshotDir, type Browser } from "../support/browser";
import { azuriteConnectionString, needService, settings } from "../support/services";

const enc = encodeURIComponent;

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe("web UI in headless Chromium against the local host (real runs)", () => {
  let host: RunningHost | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let shots: string;
  let ui: string;
  let flowRunId = "";

  before(async () => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    // The scheduled DAG starts paused: the test unpauses it from the UI, then pauses it again.
    process.env.AZFLOW_PAUSED_DAGS = tickDag.dagId;
    if ((process.env.AZFLOW_SERVICES_UNAVAILABLE ?? "").includes("azurite")) return;
    const app = loadApp(path.join(__dirname, "..", "apps", "web-ui", "index.js"));
    host = await startHost({ app, port: 0, persist: false, timers: true, blobs: false, log: process.env.AZFLOW_TEST_HOST_LOG ? console.log : () => undefined });
    ui = `${host.origin}/api/ui`;
    shots = screenshotDir(settings().projectRoot);
    await api("POST", "/variables", { key: flakyVariable, value: "no" });
  });
  after(async () => {
    await browser?.close();
    await host?.close();
  });

  async function api(method: string, p: string, body?: unknown): Promise<Record<string, unknown>> {
    const res = await fetch(`${host!.origin}/api/v1${p}`, {
      method, headers: body === undefined ? {} : { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  /** Every test needs Azurite (the ledger) and Chromium; the browser starts with the first test. */
  async function ready(t: TestContext): Promise<boolean> {
    if (!(await needService(t, "azurite"))) return false;
    if (!needChromium(t)) return false;
    if (!browser) {
      browser = await launchChromium();
      page = await browser.context.newPage();
      page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
    }
    return true;
  }

  async function shot(name: string): Promise<void> {
    await page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: false });
  }

  async function runState(dagId: string, runId: string): Promise<string | undefined> {
    return (await appRunLedger().getDagRun(dagId, runId))?.state;
  }

  it("lists the DAGs with their schedule, pause switch and runs, and finds them by search", async (t) => {
    if (!(await ready(t))) return;
    await page.goto(`${ui}/`);
    await page.waitForSelector(`tr[data-dag-id="${flowDag.dagId}"]`);
    const tick = page.locator(`tr[data-dag-id="${tickDag.dagId}"]`);
    assert.match(await tick.innerText(), /\*\/2 \* \* \* \* \*|0:00:02/);
    assert.equal(await tick.getByRole("switch").getAttribute("aria-checked"), "false", "the tick DAG starts paused");
    await page.getByLabel("Search DAGs").fill(`ui_wait_`);
    await page.waitForSelector(`tr[data-dag-id="${flowDag.dagId}"]`, { state: "detached" });
    await page.waitForSelector(`tr[data-dag-id="${waitDag.dagId}"]`);
    assert.equal(await page.locator("tr[data-dag-id]").count(), 1);
    await page.getByLabel("Search DAGs").fill("");
    await page.waitForSelector(`tr[data-dag-id="${flowDag.dagId}"]`);
  });

  it("triggers with a conf (refusing one that is not a JSON object), and the run receives it", async (t) => {
    if (!(await ready(t))) return;
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/grid`);
    await page.getByRole("button", { name: "▶ Trigger" }).click();
    const conf = page.getByLabel("Configuration JSON");
    const trigger = page.getByRole("dialog").getByRole("button", { name: "Trigger" });
    await conf.fill("[1, 2]");
    await page.getByText("The configuration must be a JSON object").waitFor();
    assert.equal(await trigger.isDisabled(), true);
    await conf.fill("{\"who\": ");
    await page.getByText("The configuration is not valid JSON").waitFor();
    await conf.fill(JSON.stringify({ who: "browser" }, null, 2));
    await shot("trigger-dialog");
    await trigger.click();
    await page.waitForURL(/\/runs\//);
    flowRunId = decodeURIComponent(page.url().split("/runs/")[1]);
    await host!.engine.waitForCompletion(instanceIdFor(flowDag.dagId, flowRunId), { timeoutMs: 60_000 });
    await flushTaskLogs();
    // The page follows the run by itself: no reload.
    await page.waitForSelector('[data-testid="run"] .section-header .state-badge[data-state="failed"]', { timeout: 15_000 }).catch(async (err: unknown) => {
      await shot("run-failed-to-update");
      throw err;
    });
    assert.deepEqual(JSON.parse(await page.getByTestId("run-conf").innerText()), { who: "browser" });
    await shot("run");
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/runs/${enc(flowRunId)}/tasks/greet`);
    await page.getByTestId("xcom").waitFor();
    assert.match(await page.getByTestId("xcom").innerText(), /hello browser/);
    assert.match(await page.getByTestId("rendered").innerText(), /"who": "browser"/);
    assert.match(await page.getByTestId("log-text").innerText(), /greeting browser on \d{4}-\d{2}-\d{2}/);
  });

  it("draws the grid with the states the ledger holds, groups collapsible and the mapped count", async (t) => {
    if (!(await ready(t)) || !flowRunId) return;
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/grid`);
    await page.getByTestId("grid").waitFor();
    const rows = await appRunLedger().listTaskInstances(flowDag.dagId, flowRunId);
    const expected = new Map<string, string>();
    for (const taskId of flowDag.taskOrder) {
      const mine = rows.filter((r) => r.task_id === taskId);
      const instances = mine.some((r) => r.map_index >= 0) ? mine.filter((r) => r.map_index >= 0) : mine;
      expected.set(taskId, summaryState(instances.map((r) => r.state)) ?? "none");
    }
    const shown = new Map<string, string>();
    for (const taskId of flowDag.taskOrder) {
      const cell = page.locator(`[data-row="${taskId}"] .cell[data-run="${flowRunId}"]`);
      shown.set(taskId, (await cell.getAttribute("data-state")) ?? "missing");
    }
    assert.deepEqual(shown, expected);
    assert.equal(expected.get("flaky"), "failed");
    assert.equal(expected.get("path_b"), "skipped");
    assert.equal(await page.locator(`[data-row="process"] .cell[data-run="${flowRunId}"]`).getAttribute("data-state"), "success");
    assert.match(await page.locator('[data-row="process.doubled"] .grid-label').innerText(), /doubled \[3\]/);
    await shot("grid");
    await page.getByRole("button", { name: "Collapse group process" }).click();
    await page.waitForSelector('[data-row="process.numbers"]', { state: "detached" });
    await page.getByRole("button", { name: "Expand group process" }).click();
    await page.waitForSelector('[data-row="process.numbers"]');
  });

  it("opens a failed task's log from the grid, and clearing it runs it again", async (t) => {
    if (!(await ready(t)) || !flowRunId) return;
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/grid`);
    await page.locator(`[data-row="flaky"] .cell[data-run="${flowRunId}"]`).click();
    await page.waitForURL(/\/tasks\/flaky/);
    await page.getByTestId("log-text").waitFor();
    const log = await page.getByTestId("log-text").innerText();
    assert.match(log, /flaky sees ok=no/);
    assert.match(log, /flaky is not ok yet/);
    await shot("task-instance-failed");
    await api("PATCH", `/variables/${flakyVariable}`, { key: flakyVariable, value: "yes" });
    await page.getByRole("button", { name: "Clear…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("flaky", { exact: true }).waitFor();
    await shot("clear-dialog");
    await dialog.getByRole("button", { name: /^Clear \d+ task instance/ }).click();
    await until("the cleared run to succeed", async () => (await runState(flowDag.dagId, flowRunId)) === "success", 60_000);
    // The open page follows the task to its new outcome without a reload.
    await page.waitForSelector('[data-testid="task-instance"] .state-badge[data-state="success"]', { timeout: 15_000 });
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/grid`);
    await page.waitForSelector(`[data-row="flaky"] .cell[data-run="${flowRunId}"][data-state="success"]`);
    const ti = await appRunLedger().getTaskInstance(flowDag.dagId, flowRunId, "flaky", -1);
    assert.equal(ti?.state, "success");
  });

  it("lays the graph out with its group, branch and trigger rules, coloured by the run", async (t) => {
    if (!(await ready(t)) || !flowRunId) return;
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/graph?run_id=${enc(flowRunId)}`);
    await page.waitForSelector('.graph-task[data-task="flaky"][data-state="success"]', { timeout: 20_000 });
    assert.equal(await page.locator(".graph-task").count(), flowDag.taskOrder.length);
    assert.equal(await page.locator('.graph-group[data-group="process"]').count(), 1);
    assert.match(await page.locator('.graph-task[data-task="choose"]').innerText(), /branch/);
    assert.match(await page.locator('.graph-task[data-task="flaky"]').innerText(), /none_failed_min_one_success/);
    assert.doesNotMatch(await page.locator('.graph-task[data-task="finish"]').innerText(), /all_success/);
    assert.equal(await page.locator('.graph-task[data-task="path_b"]').getAttribute("data-state"), "skipped");
    // Left to right: every edge's target lies to the right of its source.
    const x = async (id: string) => (await page.locator(`.graph-task[data-task="${id}"]`).boundingBox())!.x;
    assert.ok((await x("greet")) < (await x("choose")) && (await x("choose")) < (await x("flaky")) && (await x("flaky")) < (await x("finish")));
    await shot("graph");
  });

  it("says what is wrong for an unknown DAG or run, a missing try and clearing a running task", async (t) => {
    if (!(await ready(t)) || !flowRunId) return;
    await page.goto(`${ui}/dags/no_such_dag/grid`);
    await page.getByRole("alert").getByText("DAG not found").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /no_such_dag/);
    await shot("error-unknown-dag");
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/runs/no_such_run`);
    await page.getByRole("alert").getByText("DAGRun not found").waitFor();
    await page.goto(`${ui}/dags/${enc(flowDag.dagId)}/runs/${enc(flowRunId)}/tasks/flaky?try=7`);
    await page.getByText("Task instance try not found").waitFor();
    assert.match(await page.locator(".inline-error").innerText(), /Try 7 .* does not exist: its tries are 1 to 1/);
    await shot("error-missing-try");
    await page.goto(`${ui}/no/such/view`);
    await page.getByText("Page not found").waitFor();

    const run = await api("POST", `/dags/${waitDag.dagId}/dagRuns`, {});
    const waitRun = String(run.dag_run_id);
    await until("the sensor to run", async () => (await appRunLedger().getTaskInstance(waitDag.dagId, waitRun, "wait", -1))?.state === "running");
    await page.goto(`${ui}/dags/${enc(waitDag.dagId)}/runs/${enc(waitRun)}/tasks/wait`);
    await page.getByRole("button", { name: "Clear…" }).click();
    await page.getByRole("dialog").getByRole("button", { name: /^Clear 1 task instance/ }).click();
    await page.getByRole("dialog").getByText(/Conflict: The run .* is still running/).waitFor();
    await shot("error-clear-running");
    await page.keyboard.press("Escape");
    await api("PATCH", `/dags/${waitDag.dagId}/dagRuns/${enc(waitRun)}`, { state: "failed" });
  });

  // The local host checks no keys (as func start): the Functions host's 401 is stood in for here.
  it("asks for a function key when the API refuses (a stand-in for Azure's key check) and sends it in a header, never in a URL", async (t) => {
    if (!(await ready(t))) return;
    const key = `k3y-${Date.now()}`;
    const seen: { url: string; key: string | undefined }[] = [];
    await page.route("**/api/v1/**", async (route) => {
      const sent = route.request().headers()["x-functions-key"];
      seen.push({ url: route.request().url(), key: sent });
      if (sent !== key) return route.fulfill({ status: 401, contentType: "text/plain", body: "" });
      return route.continue();
    });
    try {
      await page.goto(`${ui}/dags`);
      await page.getByRole("dialog", { name: "Function key" }).waitFor();
      await shot("function-key-prompt");
      await page.getByLabel("Key", { exact: true }).fill(key);
      await page.getByRole("button", { name: "Use this key" }).click();
      await page.waitForSelector(`tr[data-dag-id="${flowDag.dagId}"]`);
      assert.ok(seen.some((s) => s.key === key), "the key went in the x-functions-key header");
      assert.ok(seen.every((s) => !s.url.includes(key)), "no URL carries the key");
    } finally {
      await page.unroute("**/api/v1/**");
    }
    await page.getByRole("button", { name: "API key set" }).click();
    await page.getByRole("button", { name: "Forget key" }).click();
    await page.getByRole("button", { name: "API key", exact: true }).waitFor();
  });

  it("unpausing a scheduled DAG starts its timer's runs; pausing it stops them", async (t) => {
    if (!(await ready(t))) return;
    const runs = async () => (await appRunLedger().listDagRuns(tickDag.dagId)).length;
    assert.equal(await runs(), 0, "paused from the start: no runs");
    await page.goto(`${ui}/dags`);
    const row = page.locator(`tr[data-dag-id="${tickDag.dagId}"]`);
    await row.getByRole("switch").click();
    await page.getByRole("dialog").getByRole("button", { name: "Unpause" }).click();
    await page.waitForSelector(`tr[data-dag-id="${tickDag.dagId}"] [role="switch"][aria-checked="true"]`);
    await until("the timer to start runs", async () => (await runs()) >= 2, 20_000);
    await page.waitForSelector(`tr[data-dag-id="${tickDag.dagId}"] .run-dot`);
    await shot("dags");
    await row.getByRole("switch").click();
    await page.getByRole("dialog").getByRole("button", { name: "Pause" }).click();
    await page.waitForSelector(`tr[data-dag-id="${tickDag.dagId}"] [role="switch"][aria-checked="false"]`);
    // A firing already under way when the switch flipped may still land; after that, none.
    await new Promise((r) => setTimeout(r, 2500));
    const paused = await runs();
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(await runs(), paused, "no run after pausing, over three timer periods");
    await page.goto(`${ui}/dags/${enc(tickDag.dagId)}/grid`);
    await page.getByTestId("next-run").getByText("paused").waitFor();
    await shot("grid-paused-dag");
  });
});
