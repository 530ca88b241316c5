// finance_elt started by its data, in host mode on the real clock with the app's own entry: files
// dropped into finance-data start the day's run through the blob trigger (the devhost polls
// Azurite like the Functions host's scan); nobody calls the API or the CLI. The satisfaction file
// lands after the run's first poke, so its sensor is woken by the trigger, not by its 10 s poke.
// The run loads, archives and builds model_training; a later blob of the same day starts nothing.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { Client } from "pg";
import { startHost, type RunningHost } from "../../tools/devhost";
import { loadLocalApp } from "../../tools/dagrun/local-app";
import { clearFinanceInbox, download, financeContainer, financePair, upload } from "../support/finance-data";
import { needService, pgConfig, uniqueName } from "../support/services";

const TASK_SCHEDULED = 4;
const TASK_COMPLETED = 5;
const EVENT_RAISED = 15;

function isSatisfactionPoke(e: Record<string, unknown>): boolean {
  return e.EventType === TASK_SCHEDULED && e.Name === "op_blob_prefix_sensor"
    && (JSON.parse(String(e.Input)) as { taskId?: string }).taskId === "phase_1_wait_for_blobs.wait_for_blobs_satisfaction";
}

async function until<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    assert.ok(Date.now() < deadline, `timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("finance_elt starts on its files", () => {
  let host: RunningHost;
  let pg: Client;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    host = await startHost({ app: loadLocalApp(), port: 0, persist: false, timers: false, blobPollIntervalMs: 250, log: () => undefined });
    pg = new Client(pgConfig());
    await pg.connect();
  });
  after(async () => {
    await host?.close();
    await pg?.end();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
  });

  it("a charge file starts the day's run, a satisfaction file wakes it, and the run loads and archives both", async () => {
    const { appRunLedger } = await import("../../functions/runs/app-run-ledger");
    const ledger = appRunLedger();
    // Only one run per day: the day's run of an earlier test run would keep this one from starting.
    const day = new Date().toISOString().slice(0, 10);
    const logicalDate = `${day}T00:00:00+00:00`;
    const earlier = await ledger.findDagRunByLogicalDate("finance_elt", logicalDate);
    if (earlier) await ledger.deleteRun("finance_elt", earlier.dag_run_id);
    await clearFinanceInbox();
    const pair = financePair(uniqueName("fin-trigger-"), 30);

    await upload("charge/drop_1.csv", pair.charge);
    const run = await until("the day's run", 30_000, () => ledger.findDagRunByLogicalDate("finance_elt", logicalDate));
    assert.equal(run.run_type, "dataset_triggered");
    assert.equal(run.dag_run_id, `dataset_triggered__${logicalDate}`);
    assert.deepEqual([run.data_interval_start, run.data_interval_end], [logicalDate, `${new Date(Date.parse(logicalDate) + 86_400_000).toISOString().slice(0, 10)}T00:00:00+00:00`]);
    // The satisfaction sensor's first poke came back "not yet" (the orchestration's history shows
    // the poke scheduled and completed); it waits 10 s for the next one.
    const historyOf = () => (host.engine.getStatus(run.instance_id, { showHistory: true })?.history ?? []) as unknown as Record<string, unknown>[];
    await until("the satisfaction sensor's first poke", 30_000, async () => {
      const history = historyOf();
      const poke = history.find(isSatisfactionPoke);
      return !!poke && history.some((e) => e.EventType === TASK_COMPLETED && e.TaskScheduledId === poke.EventId);
    });
    await upload("satisfaction/drop_1.csv", pair.satisfaction);

    const status = await host.engine.waitForCompletion(run.instance_id, { timeoutMs: 60_000 });
    assert.equal(status.runtimeStatus, "Completed");
    assert.equal((status.output as { state: string }).state, "success", JSON.stringify(status.output));
    const history = historyOf();
    const wakes = history.filter((e) => e.EventType === EVENT_RAISED).map((e) => JSON.parse(String(e.Input)) as { listener?: string; blob?: string });
    assert.ok(wakes.some((w) => w.blob === "satisfaction/drop_1.csv" && String(w.listener).includes("wait_for_blobs_satisfaction")), JSON.stringify(wakes));
    const satisfactionPokes = history.filter(isSatisfactionPoke).length;
    assert.equal(satisfactionPokes, 2, "one poke before the file, one when woken");

    // Loaded, archived under the run's day, and model_training built.
    const ids = pair.customers.flatMap((c) => c.charges.map((ch) => String(ch.id)));
    assert.equal(Number((await pg.query("SELECT count(*)::int AS n FROM in_charge WHERE id = ANY($1)", [ids])).rows[0].n), ids.length);
    for (const blob of ["charge/drop_1.csv", "satisfaction/drop_1.csv"]) {
      assert.equal(await financeContainer().getBlobClient(blob).exists(), false, `${blob} left the inbox`);
      assert.ok((await download(`financial_data/date_${day}/${blob}`, financeContainer("finance-archive"))).length > 0);
    }
    const customers = pair.customers.map((c) => String(c.satisfaction.customer_id));
    assert.ok(Number((await pg.query("SELECT count(*)::int AS n FROM model_training WHERE customer_id = ANY($1::uuid[])", [customers])).rows[0].n) > 0);

    // Another file the same day: the day has its run, so none starts (the daily schedule or a rerun loads it).
    await upload("charge/drop_2.csv", pair.charge);
    await new Promise((r) => setTimeout(r, 2_000));
    const runs = (await ledger.listDagRuns("finance_elt")).filter((r) => r.logical_date === logicalDate);
    assert.equal(runs.length, 1);
    await clearFinanceInbox();
  });
});
