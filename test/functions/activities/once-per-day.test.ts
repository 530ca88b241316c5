// The once-per-day branch: the calendar day in UTC or a named time zone (DST days included), and
// the ledger question behind it, asked against tables of its own in Azurite.
import assert from "node:assert/strict";
import { after, before, describe, it, type TestContext } from "node:test";
import { dayBounds, oncePerDayBranch } from "../../../functions/activities/once-per-day";
import { needService } from "../../support/services";
import { testLedger, type TestLedger } from "../../support/test-ledger";

const iso = (ms: number): string => new Date(ms).toISOString();

describe("once-per-day branch", () => {
  it("finds the day in UTC by default, and in a time zone across its DST change", () => {
    const utc = dayBounds(Date.parse("2024-03-31T23:59:59Z"), "UTC");
    assert.deepEqual([iso(utc.start), iso(utc.end), utc.day], ["2024-03-31T00:00:00.000Z", "2024-04-01T00:00:00.000Z", "2024-03-31"]);
    // Kyiv moves from UTC+2 to UTC+3 at 03:00 local on 31 March 2024: a 23-hour day.
    const kyiv = dayBounds(Date.parse("2024-03-31T01:30:00Z"), "Europe/Kyiv");
    assert.deepEqual([iso(kyiv.start), iso(kyiv.end), kyiv.day], ["2024-03-30T22:00:00.000Z", "2024-03-31T21:00:00.000Z", "2024-03-31"]);
    // 05:00 UTC on 1 June is still 31 May in Los Angeles (UTC-7).
    const la = dayBounds(Date.parse("2024-06-01T05:00:00Z"), "America/Los_Angeles");
    assert.deepEqual([iso(la.start), iso(la.end), la.day], ["2024-05-31T07:00:00.000Z", "2024-06-01T07:00:00.000Z", "2024-05-31"]);
  });

  it("rejects a time zone that does not exist and needs a task to follow", () => {
    assert.throws(() => oncePerDayBranch.parse({ task_id: "t", follow: "t", timezone: "Mars/Olympus" }, "x"), /not a time zone/);
    assert.throws(() => oncePerDayBranch.parse({ task_id: "t" }, "x"), /'follow' names the task/);
    assert.deepEqual(oncePerDayBranch.parse({ task_id: "t", follow: "t", otherwise: "skip" }, "x"),
      { dagId: undefined, taskId: "t", follow: ["t"], otherwise: ["skip"], timezone: "UTC" });
  });

  describe("the ledger's answer", () => {
    let tl: TestLedger;
    before(async (t) => {
      if (!(await needService(t as unknown as TestContext, "azurite"))) return;
      tl = testLedger();
      const row = (task: string, state: string, end: string) => ({ task_id: task, map_index: -1, state: state as "success", end_date: end, try_number: 1 });
      await tl.ledger.mergeTaskInstances("gen", "scheduled__a", [row("trigger_load_data", "success", "2024-05-10T08:00:00+00:00"), row("skip", "success", "2024-05-11T08:00:00+00:00")]);
      await tl.ledger.mergeTaskInstances("gen", "scheduled__b", [row("trigger_load_data", "failed", "2024-05-11T09:00:00+00:00")]);
      // Another DAG whose id starts with this one's must not count.
      await tl.ledger.mergeTaskInstances("gen2", "scheduled__c", [row("trigger_load_data", "success", "2024-05-11T10:00:00+00:00")]);
    });
    after(async () => tl?.drop());

    it("counts only a success of that task of that DAG inside the day", async () => {
      const day = (d: string) => [Date.parse(`${d}T00:00:00Z`), Date.parse(`${d}T00:00:00Z`) + 86_400_000] as const;
      assert.equal(await tl.ledger.taskSucceededBetween("gen", "trigger_load_data", ...day("2024-05-10")), true);
      assert.equal(await tl.ledger.taskSucceededBetween("gen", "trigger_load_data", ...day("2024-05-11")), false, "failed and other-DAG rows do not count");
      assert.equal(await tl.ledger.taskSucceededBetween("gen", "skip", ...day("2024-05-11")), true);
      assert.equal(await tl.ledger.taskSucceededBetween("gen2", "trigger_load_data", ...day("2024-05-11")), true);
      assert.equal(await tl.ledger.taskSucceededBetween("gen", "trigger_load_data", ...day("2024-05-12")), false);
    });
  });
});
