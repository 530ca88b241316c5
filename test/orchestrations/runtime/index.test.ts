import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as runtime from "../../../orchestrations/runtime";

// The brief's example DAG file, written against the barrel, end to end through the pure core.
describe("runtime barrel: a DAG file and one scheduling pass", () => {
  const bash = (command: string) => runtime.operator("bash", { command });
  const tutorial = runtime.dag({
    dagId: "tutorial", schedule: "@daily", startDate: "2023-01-01", catchup: true,
    defaultArgs: { retries: 1, retryDelay: "5m" }, params: { table: "events" }, tags: ["example"],
    tasks: (t) => {
      const printDate = t.task("print_date", bash("date"));
      const load = t.task("load_table", runtime.operator("sql", { conn: "postgres_default", file: "sql/load.sql", day: "{{ ds }}" }));
      const report = t.task("report", runtime.operator("python", { callable: "tutorial.report", rows: load.output }));
      t.chain(printDate, load, report);
    },
  });

  it("schedules, steps and renders", () => {
    const [first] = runtime.scheduledRunsDue(tutorial, { now: "2023-01-02T00:00:00Z", lastAutomated: null });
    const runId = runtime.runIdFor("scheduled", first.logicalDate);
    assert.equal(runtime.instanceIdFor(tutorial.dagId, runId), "tutorial:scheduled__2023-01-01T00:00:00+00:00");
    assert.equal(runtime.toNcrontab(tutorial.schedule), "0 0 0 * * *");
    assert.deepEqual(runtime.step(tutorial, {}).runnable, ["print_date"]);
    const ctx = runtime.templateContextFor(tutorial, {
      taskId: "load_table", runId, logicalDate: first.logicalDate,
      dataIntervalStart: first.dataInterval.start, dataIntervalEnd: first.dataInterval.end,
    });
    assert.deepEqual(runtime.renderDeep(tutorial.tasks.load_table.config, ctx), { conn: "postgres_default", file: "sql/load.sql", day: "2023-01-01" });
    const config = runtime.resolveXComRefs(tutorial.tasks.report.config, (ref) => (ref.$xcom.taskId === "load_table" ? 3 : null));
    assert.deepEqual(config, { callable: "tutorial.report", rows: 3 });
  });
});
