// NCRONTAB schedules and timer triggers firing on them in the host.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseSchedule, startHost } from "../../../tools/devhost";
import { sampleApp, waitFor } from "./helpers";
import { timerFirings } from "../../apps/triggers/state";

const at = (iso: string) => new Date(iso);
const nextOf = (expr: string, after: string) => parseSchedule(expr).next(at(after)).toISOString();

describe("NCRONTAB schedules (6 fields, UTC)", () => {
  it("computes next occurrences", () => {
    assert.equal(nextOf("0 */5 * * * *", "2024-03-01T10:02:30Z"), "2024-03-01T10:05:00.000Z");
    assert.equal(nextOf("0 0 2 * * *", "2024-03-01T02:00:00Z"), "2024-03-02T02:00:00.000Z", "strictly after");
    assert.equal(nextOf("30 15 9 * * MON-FRI", "2024-03-01T10:00:00Z"), "2024-03-04T09:15:30.000Z", "Friday after 9:15 -> Monday");
    assert.equal(nextOf("0 0 0 1 JAN,jul *", "2024-03-01T00:00:00Z"), "2024-07-01T00:00:00.000Z");
    assert.equal(nextOf("0 0 0 29 2 *", "2023-03-01T00:00:00Z"), "2024-02-29T00:00:00.000Z");
    assert.equal(nextOf("5/20 * * * * *", "2024-01-01T00:00:26Z"), "2024-01-01T00:00:45.000Z");
    assert.equal(nextOf("0 0 12 * * 0", "2024-03-01T00:00:00Z"), "2024-03-03T12:00:00.000Z", "0 is Sunday");
    assert.equal(nextOf("0 0 12 * * 7", "2024-03-01T00:00:00Z"), "2024-03-03T12:00:00.000Z", "7 is Sunday too");
    assert.equal(nextOf("00:05:00", "2024-03-01T00:00:00Z"), "2024-03-01T00:05:00.000Z", "TimeSpan schedule");
  });

  it("rejects malformed schedules", () => {
    assert.throws(() => parseSchedule("0 5 * * *"), /must have 6 fields/);
    assert.throws(() => parseSchedule("0 61 * * * *"), /minute 61 out of range/);
    assert.throws(() => parseSchedule("0 * * * * FOO"), /Invalid day-of-week "FOO"/);
    assert.throws(() => parseSchedule("0 0 0 31 2 *").next(at("2024-01-01T00:00:00Z")), /no occurrence/);
  });
});

describe("timer trigger in the host", () => {
  it("fires on its schedule, on whole seconds, with the Timer object", async () => {
    const host = await startHost({ app: sampleApp("triggers"), port: 0, persist: false, blobs: false, log: () => undefined });
    try {
      await waitFor("three timer firings", () => (timerFirings.length >= 3 ? true : undefined), 6000);
    } finally {
      await host.close();
    }
    const firings = timerFirings.slice(0, 3);
    for (const f of firings) {
      assert.ok(f.at % 1000 < 300, `fired ${f.at % 1000} ms after the second`);
      assert.equal(f.isPastDue, false);
      assert.equal(new Date(f.next).getTime() % 1000, 0);
    }
    // One firing per second: consecutive firings about 1 s apart, distinct invocations.
    for (let i = 1; i < firings.length; i++) {
      const gap = firings[i].at - firings[i - 1].at;
      assert.ok(gap > 700 && gap < 1300, `gap ${gap}`);
    }
    assert.equal(new Set(firings.map((f) => f.invocationId)).size, 3);
    const count = timerFirings.length;
    await new Promise((r) => setTimeout(r, 1200));
    assert.equal(timerFirings.length, count, "no firing after the host stopped");
  });
});
