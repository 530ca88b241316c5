// The schedule timer through the local host and the real Durable client: invoking a DAG's timer
// function creates the due runs in the ledger and their orchestrations really run to completion.
import assert from "node:assert/strict";
import * as os from "node:os";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import { invokeFunction, loadApp, startHost, type RunningHost } from "../../../tools/devhost";
import { appRunLedger } from "../../../functions/runs/app-run-ledger";
import { scheduleFunctionName } from "../../../functions/triggers/schedule-trigger";
import { instanceIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { airflowIso } from "../../../orchestrations/runtime/time/time";
import { catchupDag, dailyDag, manualDag, onceDag, pausedDag } from "../../apps/dag-runs/state";
import { azuriteConnectionString, needService } from "../../support/services";

const DAY_MS = 86_400_000;

describe("schedule timer with the durable client (devhost)", () => {
  let host: RunningHost | undefined;
  const app = () => loadApp(path.join(__dirname, "..", "..", "apps", "dag-runs", "index.js"));

  before(() => {
    process.env.AzureWebJobsStorage = azuriteConnectionString();
    process.env.AZFLOW_PAUSED_DAGS = pausedDag.dagId;
  });
  after(async () => host?.close());

  async function running(): Promise<RunningHost> {
    host ??= await startHost({ app: app(), port: 0, persist: false, timers: false, blobs: false, stateDir: os.tmpdir(), log: () => undefined });
    return host;
  }

  function fireTimer(h: RunningHost, dagId: string) {
    const fn = app().registry.get(scheduleFunctionName(dagId));
    assert.ok(fn, `timer for ${dagId}`);
    const timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: "", next: "", lastUpdated: "" } };
    return invokeFunction(fn, timer, { timeoutMs: 30_000, extraInputsByType: { durableClient: h.api.clientData(h.origin) } });
  }

  it("registers a timer per scheduled DAG on its NCRONTAB, none for manual or @once DAGs", () => {
    const timers = Object.fromEntries(app().registry.byTrigger("timerTrigger").map((f) => [f.name, f.trigger.schedule]));
    assert.deepEqual(timers, {
      [scheduleFunctionName(dailyDag.dagId)]: "0 0 0 * * *",
      [scheduleFunctionName(pausedDag.dagId)]: "0 0 */1 * * *",
      [scheduleFunctionName(catchupDag.dagId)]: "0 0 0 * * *",
    });
    assert.equal(app().registry.get(scheduleFunctionName(manualDag.dagId)), undefined);
    assert.equal(app().registry.get(scheduleFunctionName(onceDag.dagId)), undefined);
  });

  it("starts each missed interval's orchestration, which runs to completion; a second firing is a no-op", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const h = await running();
    const todayMidnight = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const expected = [3, 2, 1].map((n) => `scheduled__${airflowIso(todayMidnight - n * DAY_MS)}`);

    const first = await fireTimer(h, catchupDag.dagId);
    assert.match(first.context.invocationId, /./);
    for (const runId of expected) {
      const status = await h.engine.waitForCompletion(instanceIdFor(catchupDag.dagId, runId), { timeoutMs: 20_000 });
      assert.equal(status.runtimeStatus, "Completed", runId);
      assert.deepEqual(status.output, { dagId: catchupDag.dagId, runId, state: "success", tasks: 2 });
      assert.equal(status.name, catchupDag.dagId);
    }
    const runs = await appRunLedger().listDagRuns(catchupDag.dagId);
    assert.deepEqual(runs.map((r) => [r.dag_run_id, r.run_type, r.state]), expected.map((id) => [id, "scheduled", "success"]));
    assert.deepEqual((await appRunLedger().listTaskInstances(catchupDag.dagId, expected[0])).map((ti) => [ti.task_id, ti.state]), [["first", "success"], ["second", "success"]]);

    const instancesBefore = h.engine.list({}).length;
    await fireTimer(h, catchupDag.dagId);
    assert.equal(h.engine.list({}).length, instancesBefore, "no new orchestration");
    assert.equal((await appRunLedger().listDagRuns(catchupDag.dagId)).length, 3);
  });

  it("does not run a paused DAG", async (t) => {
    if (!(await needService(t, "azurite"))) return;
    const h = await running();
    const instancesBefore = h.engine.list({}).length;
    await fireTimer(h, pausedDag.dagId);
    assert.deepEqual(await appRunLedger().listDagRuns(pausedDag.dagId), []);
    assert.equal(h.engine.list({}).length, instancesBefore);
  });
});
