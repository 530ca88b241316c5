// Every DAG the app ships, run on the local runtime as the Durable extension replays it (the
// internet sources stood in for by tools/fixtures on loopback): the orchestration completes (no
// re-sent action, no result matched to the wrong task, no yield the extension would still wait
// on), each activity is scheduled once per attempt, and the cost per task instance in Durable
// actions stays low.
import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { listDags } from "../../functions/dag-registry";
import type { LocalDagRuntime } from "../../tools/dagrun/local-dag-runtime";
import { runDag, startTestRuntime, type FinishedRun } from "../support/dag-runs";
import { needService } from "../support/services";
import { startSources } from "../support/source-fixtures";

/** A past date of its own per DAG and test run (the ledger and the tables outlive test runs). */
function freshDate(dagId: string): string {
  const day = new Date((15_000 + Math.floor(Math.random() * 3_000)) * 86_400_000).toISOString().slice(0, 10);
  // A monthly DAG's runs fall on the 2nd at 07:00.
  return dagId === "ny_taxi_ingest" ? `${day.slice(0, 7)}-02T07:00:00Z` : `${day}T00:00:00Z`;
}

/** DAGs that read what another DAG wrote run after it; conf for runs that need one to finish soon. */
const RUNS_AFTER: Record<string, string[]> = { finance_elt: ["finance_generate_and_upload"], finance_ml: ["finance_elt"] };
const CONF: Record<string, Record<string, unknown>> = { finance_generate_and_upload: { files: 2 }, finance_ml: { n_estimators: 20 } };

function inDependencyOrder(dagIds: string[]): string[] {
  const out: string[] = [];
  const visit = (id: string) => {
    if (out.includes(id)) return;
    for (const before of RUNS_AFTER[id] ?? []) if (dagIds.includes(before)) visit(before);
    out.push(id);
  };
  dagIds.forEach(visit);
  return out;
}

const TASK_SCHEDULED = 4;
const TIMER_CREATED = 10;

/** Activities of the run's own history: each scheduled input appears once (a re-sent action repeats it). */
function assertScheduledOnce(r: FinishedRun): void {
  const inputs = r.history.filter((e) => e.EventType === TASK_SCHEDULED).map((e) => `${String(e.Name)} ${String(e.Input)}`);
  const repeated = inputs.filter((x, i) => inputs.indexOf(x) !== i);
  assert.deepEqual(repeated, [], `${r.run.dag_id}: activities scheduled twice`);
  const attempts = r.history
    .filter((e) => e.EventType === TASK_SCHEDULED && String(e.Name).startsWith("op_"))
    .map((e) => JSON.parse(String(e.Input)) as { taskId: string; mapIndex: number; tryNumber: number; mode: string });
  // An operator runs once per try; only a sensor (or a follow-up check) pokes several times in one.
  const executes = attempts.filter((a) => a.mode === "execute").map((a) => `${a.taskId}[${a.mapIndex}]#${a.tryNumber}`);
  assert.equal(new Set(executes).size, executes.length, `${r.run.dag_id}: an attempt ran twice: ${executes}`);
}

describe("every shipped DAG under the extension-faithful replay", () => {
  let rt: LocalDagRuntime;
  let sources: Awaited<ReturnType<typeof startSources>>;
  before(async (t) => {
    const ctx = t as unknown as TestContext; // before() gets the suite context; needService only skips or throws
    if (!(await needService(ctx, "azurite")) || !(await needService(ctx, "postgres"))) return;
    sources = await startSources({ seed: "shipped-dags" });
    rt = await startTestRuntime();
  });
  after(async () => {
    await rt?.close();
    const { closePostgresPools } = await import("../../functions/hooks/postgres");
    await closePostgresPools();
    await sources?.close();
  });

  it("runs each one to completion with every activity scheduled once per attempt", async () => {
    const dags = listDags().map((d) => d.dagId).sort();
    assert.ok(dags.includes("tutorial") && dags.includes("parent_dag"), `registered: ${dags}`);
    for (const dagId of inDependencyOrder(dags)) {
      const r = await runDag(rt, dagId, { conf: { message: "from the shipped-DAGs test", ...CONF[dagId] }, logicalDate: freshDate(dagId), timeoutMs: 480_000 });
      assertScheduledOnce(r);
      // sensor_with_conditions ends success by design: its sensors soft-fail when nothing arrives.
      assert.equal(r.output.state, "success", `${dagId}: ${JSON.stringify(r.tasks.filter((t) => t.state !== "success").map((t) => [t.task_id, t.state, t.error]))}`);
      const scheduled = r.history.filter((e) => e.EventType === TASK_SCHEDULED).map((e) => String(e.Name));
      const attempts = scheduled.filter((n) => n.startsWith("op_")).length;
      const bookkeeping = scheduled.length - attempts;
      const timers = r.history.filter((e) => e.EventType === TIMER_CREATED).length;
      // The run reports what it created, as the history shows it.
      assert.deepEqual(r.output.actions, { activities: scheduled.length, timers }, dagId);
      // Ledger writes ride along with attempts or are batched: the final write and at most a few more.
      assert.ok(bookkeeping <= 2 + attempts / 2, `${dagId}: ${bookkeeping} bookkeeping activities for ${attempts} attempts: ${scheduled.filter((n) => !n.startsWith("op_"))}`);
      // Timers only serve waits between pokes (of sensors, and of the checks that follow a
      // submitted job) or retries: none for a run that has none.
      const pokes = scheduled.filter((n) => n.endsWith("_sensor") || n === "op_spark_job_status").length;
      assert.ok(timers <= 2 * pokes, `${dagId}: ${timers} timers for ${pokes} pokes`);
    }
  });
});
