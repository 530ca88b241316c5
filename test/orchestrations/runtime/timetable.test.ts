import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { dag, operator } from "../../../orchestrations/runtime/model/dag";
import type { DagDefinition } from "../../../orchestrations/runtime/model/dag";
import { cronNext, cronPrevOrAt, parseCron } from "../../../orchestrations/runtime/time/cron";
import { compileSchedule } from "../../../orchestrations/runtime/time/schedule";
import { backfillRuns, DagRunInfo, manualRunInfo, nextScheduledRun, scheduledRunsDue, timetableFor } from "../../../orchestrations/runtime/time/timetable";
import { instanceIdFor, runIdFor } from "../../../orchestrations/runtime/time/run-ids";
import { toNcrontab } from "../../../orchestrations/runtime/time/ncrontab";

const T = (iso: string): number => Date.parse(iso.endsWith("Z") ? iso : `${iso}Z`);
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString().replace(".000Z", "Z"));
const logicalDates = (runs: DagRunInfo[]) => runs.map((r) => iso(r.logicalDate));
const intervals = (runs: DagRunInfo[]) => runs.map((r) => [iso(r.dataInterval.start), iso(r.dataInterval.end)]);

function makeDag(schedule: DagDefinition["schedule"], extra: Partial<DagDefinition> = {}) {
  return dag({ dagId: "tt", schedule, startDate: "2023-01-01", tasks: (t) => { t.task("a", operator("noop", {})); }, ...extra });
}

describe("cron: next strictly after, previous at or before (UTC)", () => {
  const next = (expr: string, at: string) => iso(cronNext(parseCron(expr), T(at)));
  const prev = (expr: string, at: string) => iso(cronPrevOrAt(parseCron(expr), T(at)));

  it("presets", () => {
    const tt = (s: string) => timetableFor(compileSchedule(s));
    assert.equal(iso(tt("@hourly").next(T("2023-01-01T10:15:00"))), "2023-01-01T11:00:00Z");
    assert.equal(iso(tt("@hourly").next(T("2023-01-01T10:00:00"))), "2023-01-01T11:00:00Z");
    assert.equal(iso(tt("@hourly").prevAtOrBefore(T("2023-01-01T10:15:00"))), "2023-01-01T10:00:00Z");
    assert.equal(iso(tt("@hourly").prevAtOrBefore(T("2023-01-01T10:00:00"))), "2023-01-01T10:00:00Z");
    assert.equal(iso(tt("@daily").next(T("2023-01-01T00:00:00"))), "2023-01-02T00:00:00Z");
    assert.equal(iso(tt("@weekly").next(T("2023-01-02T00:00:00"))), "2023-01-08T00:00:00Z"); // a Sunday
    assert.equal(iso(tt("@monthly").next(T("2023-01-15T00:00:00"))), "2023-02-01T00:00:00Z");
    assert.equal(iso(tt("@quarterly").next(T("2023-02-10T00:00:00"))), "2023-04-01T00:00:00Z");
    assert.equal(iso(tt("@quarterly").prevAtOrBefore(T("2023-12-31T00:00:00"))), "2023-10-01T00:00:00Z");
    assert.equal(iso(tt("@yearly").next(T("2023-06-01T00:00:00"))), "2024-01-01T00:00:00Z");
  });

  it("ranges, steps, lists and names", () => {
    assert.equal(next("*/15 9-17 * * MON-FRI", "2023-01-06T17:50:00"), "2023-01-09T09:00:00Z");
    assert.equal(next("*/15 9-17 * * mon-fri", "2023-01-09T09:00:00"), "2023-01-09T09:15:00Z");
    assert.equal(next("5/20 * * * *", "2023-01-01T00:26:00"), "2023-01-01T00:45:00Z");
    assert.equal(next("0 0 1,15 * *", "2023-01-02T00:00:00"), "2023-01-15T00:00:00Z");
    assert.equal(next("0 12 * JAN,JUL *", "2023-02-01T00:00:00"), "2023-07-01T12:00:00Z");
    assert.equal(next("0 7 2 * *", "2021-01-01T00:00:00"), "2021-01-02T07:00:00Z");
    assert.equal(prev("0 7 2 * *", "2021-03-02T06:59:00"), "2021-02-02T07:00:00Z");
    assert.equal(next("0 0 * * 7", "2023-01-02T00:00:00"), "2023-01-08T00:00:00Z");
    assert.equal(next("0 0 29 2 *", "2023-03-01T00:00:00"), "2024-02-29T00:00:00Z");
    assert.equal(prev("0 0 29 2 *", "2024-02-28T00:00:00"), "2020-02-29T00:00:00Z");
    assert.equal(next("59 23 31 12 *", "2023-12-31T23:59:00"), "2024-12-31T23:59:00Z");
  });

  it("day-of-month OR day-of-week when both are restricted (croniter)", () => {
    assert.equal(next("0 0 13 * FRI", "2023-01-01T00:00:00"), "2023-01-06T00:00:00Z");
    assert.equal(next("0 0 13 * FRI", "2023-01-10T00:00:00"), "2023-01-13T00:00:00Z");
    assert.equal(next("0 0 13 * FRI", "2023-01-13T00:00:00"), "2023-01-20T00:00:00Z");
  });

  it("seconds in the reference instant", () => {
    assert.equal(next("* * * * *", "2023-01-01T00:00:30"), "2023-01-01T00:01:00Z");
    assert.equal(prev("* * * * *", "2023-01-01T00:00:30"), "2023-01-01T00:00:00Z");
  });
});

describe("data intervals", () => {
  it("a scheduled cron run covers [logical_date, next point)", () => {
    const di = timetableFor(compileSchedule("@daily")).dataIntervalFor(T("2023-01-01T00:00:00"));
    assert.deepEqual([iso(di.start), iso(di.end)], ["2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z"]);
  });
});

describe("catchup", () => {
  const daily = makeDag("@daily");

  it("every interval from start_date whose end has passed", () => {
    const runs = scheduledRunsDue(daily, { now: T("2023-01-04T05:00:00"), lastAutomated: null });
    assert.deepEqual(intervals(runs), [
      ["2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z"],
      ["2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z"],
      ["2023-01-03T00:00:00Z", "2023-01-04T00:00:00Z"],
    ]);
    assert.deepEqual(runs.map((r) => iso(r.runAfter)), ["2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z", "2023-01-04T00:00:00Z"]);
  });

  it("a run is created once now >= its data interval end", () => {
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-04T00:00:00"), lastAutomated: null })),
      ["2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z"]);
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-03T23:59:59"), lastAutomated: null })),
      ["2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z"]);
    assert.deepEqual(scheduledRunsDue(daily, { now: T("2023-01-01T12:00:00"), lastAutomated: null }), []);
  });

  it("continues after the last scheduled run", () => {
    const last = { start: T("2023-01-01T00:00:00"), end: T("2023-01-02T00:00:00") };
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-04T05:00:00"), lastAutomated: last })),
      ["2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z"]);
    const next = nextScheduledRun(daily, { start: T("2023-01-03T00:00:00"), end: T("2023-01-04T00:00:00") }, T("2023-01-04T05:00:00"));
    assert.equal(iso(next?.runAfter ?? null), "2023-01-05T00:00:00Z");
  });

  it("first run start = first schedule point >= start_date", () => {
    const late = makeDag("@daily", { startDate: "2023-01-01T06:00:00" });
    assert.deepEqual(logicalDates(scheduledRunsDue(late, { now: T("2023-01-04T00:00:00"), lastAutomated: null })),
      ["2023-01-02T00:00:00Z", "2023-01-03T00:00:00Z"]);
  });

  it("end_date bounds the last logical date; a future start_date gives nothing", () => {
    const ended = makeDag("@daily", { endDate: "2023-01-02" });
    assert.deepEqual(logicalDates(scheduledRunsDue(ended, { now: T("2024-01-01T00:00:00"), lastAutomated: null })),
      ["2023-01-01T00:00:00Z", "2023-01-02T00:00:00Z"]);
    assert.deepEqual(scheduledRunsDue(makeDag("@daily", { startDate: "2030-01-01" }), { now: T("2024-01-01T00:00:00"), lastAutomated: null }), []);
  });

  it("monthly at 07:00 on the 2nd (ny_taxi_ingest) backfills by month", () => {
    const monthly = makeDag("0 7 2 * *", { startDate: "2021-01-01" });
    assert.deepEqual(logicalDates(scheduledRunsDue(monthly, { now: T("2021-04-10T00:00:00"), lastAutomated: null })),
      ["2021-01-02T07:00:00Z", "2021-02-02T07:00:00Z", "2021-03-02T07:00:00Z"]);
  });
});

describe("catchup=false", () => {
  const daily = makeDag("@daily", { catchup: false });

  it("only the latest completed interval", () => {
    assert.deepEqual(intervals(scheduledRunsDue(daily, { now: T("2023-01-04T05:00:00"), lastAutomated: null })),
      [["2023-01-03T00:00:00Z", "2023-01-04T00:00:00Z"]]);
    assert.deepEqual(intervals(scheduledRunsDue(daily, { now: T("2023-01-04T00:00:00"), lastAutomated: null })),
      [["2023-01-03T00:00:00Z", "2023-01-04T00:00:00Z"]]);
  });

  it("skips missed intervals after an old last run, then schedules normally", () => {
    const old = { start: T("2023-01-01T00:00:00"), end: T("2023-01-02T00:00:00") };
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-10T05:00:00"), lastAutomated: old })), ["2023-01-09T00:00:00Z"]);
    const recent = { start: T("2023-01-09T00:00:00"), end: T("2023-01-10T00:00:00") };
    assert.deepEqual(scheduledRunsDue(daily, { now: T("2023-01-10T05:00:00"), lastAutomated: recent }), []);
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-11T00:00:01"), lastAutomated: recent })), ["2023-01-10T00:00:00Z"]);
  });

  it("never before start_date", () => {
    assert.deepEqual(logicalDates(scheduledRunsDue(daily, { now: T("2023-01-02T00:00:00"), lastAutomated: null })), ["2023-01-01T00:00:00Z"]);
    assert.deepEqual(scheduledRunsDue(daily, { now: T("2023-01-01T12:00:00"), lastAutomated: null }), []);
  });
});

describe("fixed-interval timetables", () => {
  it("with catchup: start_date + k * interval", () => {
    const every20 = makeDag({ every: "20s" });
    assert.deepEqual(intervals(scheduledRunsDue(every20, { now: T("2023-01-01T00:01:00"), lastAutomated: null })), [
      ["2023-01-01T00:00:00Z", "2023-01-01T00:00:20Z"],
      ["2023-01-01T00:00:20Z", "2023-01-01T00:00:40Z"],
      ["2023-01-01T00:00:40Z", "2023-01-01T00:01:00Z"],
    ]);
  });

  it("without catchup: the interval ending now", () => {
    const every20 = makeDag({ every: 20 }, { catchup: false });
    assert.deepEqual(intervals(scheduledRunsDue(every20, { now: T("2023-01-01T00:01:07"), lastAutomated: null })),
      [["2023-01-01T00:00:47Z", "2023-01-01T00:01:07Z"]]);
    const last = { start: T("2023-01-01T00:00:40"), end: T("2023-01-01T00:01:00") };
    assert.deepEqual(intervals(scheduledRunsDue(every20, { now: T("2023-01-01T00:01:20"), lastAutomated: last })),
      [["2023-01-01T00:01:00Z", "2023-01-01T00:01:20Z"]]);
  });
});

describe("@once and manual-only", () => {
  it("@once runs once at start_date", () => {
    const once = makeDag("@once");
    assert.deepEqual(scheduledRunsDue(once, { now: T("2022-12-31T00:00:00"), lastAutomated: null }), []);
    assert.deepEqual(intervals(scheduledRunsDue(once, { now: T("2023-05-01T00:00:00"), lastAutomated: null })),
      [["2023-01-01T00:00:00Z", "2023-01-01T00:00:00Z"]]);
    const done = { start: T("2023-01-01T00:00:00"), end: T("2023-01-01T00:00:00") };
    assert.deepEqual(scheduledRunsDue(once, { now: T("2023-05-01T00:00:00"), lastAutomated: done }), []);
  });

  it("schedule null is never scheduled", () => {
    assert.deepEqual(scheduledRunsDue(makeDag(null), { now: T("2024-01-01T00:00:00"), lastAutomated: null }), []);
  });
});

describe("backfill: every schedule point in [start, end], inclusive", () => {
  it("daily, whatever catchup says", () => {
    for (const catchup of [true, false]) {
      const d = makeDag("@daily", { catchup });
      assert.deepEqual(logicalDates(backfillRuns(d, "2023-02-01", "2023-02-03")), ["2023-02-01T00:00:00Z", "2023-02-02T00:00:00Z", "2023-02-03T00:00:00Z"]);
    }
  });

  it("an unaligned start begins at the next schedule point", () => {
    assert.deepEqual(logicalDates(backfillRuns(makeDag("@daily"), "2023-02-01T12:00:00", "2023-02-03")), ["2023-02-02T00:00:00Z", "2023-02-03T00:00:00Z"]);
  });

  it("monthly, interval, @once and manual", () => {
    assert.deepEqual(logicalDates(backfillRuns(makeDag("@monthly"), "2023-01-01", "2023-03-01")), ["2023-01-01T00:00:00Z", "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"]);
    assert.deepEqual(logicalDates(backfillRuns(makeDag({ every: "1h" }), "2023-01-01T00:00:00", "2023-01-01T02:00:00")),
      ["2023-01-01T00:00:00Z", "2023-01-01T01:00:00Z", "2023-01-01T02:00:00Z"]);
    assert.deepEqual(logicalDates(backfillRuns(makeDag("@once"), "2023-01-01", "2023-01-05")), ["2023-01-01T00:00:00Z"]);
    assert.deepEqual(backfillRuns(makeDag(null), "2023-01-01", "2023-01-05"), []);
  });
});

describe("manual runs: data interval end = schedule point at or before the logical date, start = the one before", () => {
  it("cron", () => {
    const daily = makeDag("@daily");
    const r = manualRunInfo(daily, "2023-01-05T10:00:00");
    assert.equal(iso(r.logicalDate), "2023-01-05T10:00:00Z");
    assert.deepEqual([iso(r.dataInterval.start), iso(r.dataInterval.end)], ["2023-01-04T00:00:00Z", "2023-01-05T00:00:00Z"]);
    const onPoint = manualRunInfo(daily, "2023-01-05T00:00:00");
    assert.deepEqual([iso(onPoint.dataInterval.start), iso(onPoint.dataInterval.end)], ["2023-01-04T00:00:00Z", "2023-01-05T00:00:00Z"]);
  });

  it("interval, @once and manual-only", () => {
    const r = manualRunInfo(makeDag({ every: "20s" }), "2023-01-05T10:00:00");
    assert.deepEqual([iso(r.dataInterval.start), iso(r.dataInterval.end)], ["2023-01-05T09:59:40Z", "2023-01-05T10:00:00Z"]);
    for (const schedule of ["@once", null] as const) {
      const m = manualRunInfo(makeDag(schedule), "2023-01-05T10:00:00");
      assert.deepEqual([iso(m.dataInterval.start), iso(m.dataInterval.end)], ["2023-01-05T10:00:00Z", "2023-01-05T10:00:00Z"]);
    }
  });
});

describe("run ids and instance ids", () => {
  it("run ids in Airflow's format", () => {
    assert.equal(runIdFor("scheduled", T("2023-01-01T00:00:00")), "scheduled__2023-01-01T00:00:00+00:00");
    assert.equal(runIdFor("backfill", "2023-02-01"), "backfill__2023-02-01T00:00:00+00:00");
    assert.equal(runIdFor("manual", T("2023-01-05T10:11:12.123")), "manual__2023-01-05T10:11:12.123000+00:00");
  });

  it("instance id is dag_id:run_id when safe, deterministic", () => {
    const runId = "scheduled__2023-01-01T00:00:00+00:00";
    assert.equal(instanceIdFor("tutorial", runId), "tutorial:scheduled__2023-01-01T00:00:00+00:00");
    assert.equal(instanceIdFor("tutorial", runId), instanceIdFor("tutorial", runId));
  });

  it("unsafe characters are replaced and a hash keeps distinct run ids distinct", () => {
    const a = instanceIdFor("d", "my/run#1?x\\y\n");
    const b = instanceIdFor("d", "my_run_1_x_y_");
    assert.ok(![...a].some((ch) => "/\\#?".includes(ch) || ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f), a);
    assert.match(a, /^d:my_run_1_x_y_~[0-9a-f]{8}$/);
    assert.equal(b, "d:my_run_1_x_y_");
    assert.notEqual(a, b);
    const long = instanceIdFor("x".repeat(250), "manual__" + "y".repeat(100));
    assert.ok(long.length <= 256);
    assert.match(long, /~[0-9a-f]{8}$/);
  });
});

describe("NCRONTAB for the timer trigger (seconds first)", () => {
  const nc = (schedule: DagDefinition["schedule"]) => toNcrontab(compileSchedule(schedule));

  it("cron and presets get a leading 0 seconds field", () => {
    assert.equal(nc("@daily"), "0 0 0 * * *");
    assert.equal(nc("@hourly"), "0 0 * * * *");
    assert.equal(nc("@quarterly"), "0 0 0 1 */3 *");
    assert.equal(nc("*/15 9-17 * * MON-FRI"), "0 */15 9-17 * * 1-5");
    assert.equal(nc("0 7 2 * *"), "0 0 7 2 * *");
    assert.equal(nc("0 0 * * 7"), "0 0 0 * * 0");
    assert.equal(nc("0 0 * * 5-7"), "0 0 0 * * 0,5-6");
  });

  it("intervals that divide a minute, hour or day", () => {
    assert.equal(nc({ every: "20s" }), "*/20 * * * * *");
    assert.equal(nc({ every: "5m" }), "0 */5 * * * *");
    assert.equal(nc({ every: "2h" }), "0 0 */2 * * *");
    assert.equal(nc({ every: "1d" }), "0 0 0 * * *");
  });

  it("says clearly what cannot be expressed", () => {
    assert.throws(() => nc({ every: "7s" }), /interval of 7 s cannot be expressed as NCRONTAB: it does not divide a minute/);
    assert.throws(() => nc({ every: "7m" }), /it does not divide an hour/);
    assert.throws(() => nc({ every: "90s" }), /not a whole number of minutes/);
    assert.throws(() => nc({ every: "2d" }), /longer than a day/);
    assert.throws(() => nc("0 0 13 * FRI"), /both day-of-month and day-of-week/);
    assert.throws(() => nc("@once"), /@once has no recurring timer/);
    assert.equal(nc(null), null);
  });
});
