import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { civil, daysInMonth, isoUtc, utcMs } from "../../../orchestrations/runtime/time/calendar";
import { airflowIso, parseInstant } from "../../../orchestrations/runtime/time/time";
import { parseDuration } from "../../../orchestrations/runtime/time/duration";

describe("calendar arithmetic agrees with Date", () => {
  it("on every day from 1899 to 2101 (and odd times of day)", () => {
    for (let ms = Date.UTC(1899, 0, 1); ms < Date.UTC(2101, 0, 1); ms += 86_400_000 + 3_723_001) {
      const d = new Date(ms);
      const t = civil(ms);
      assert.deepEqual([t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond, t.weekday],
        [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(), d.getUTCDay()]);
      assert.equal(utcMs(t.year, t.month, t.day, t.hour, t.minute, t.second, t.millisecond), ms);
      assert.equal(isoUtc(ms), d.toISOString());
    }
  });

  it("overflowing fields roll over like Date.UTC", () => {
    assert.equal(utcMs(2023, 13, 1), Date.UTC(2024, 0, 1));
    assert.equal(utcMs(2023, 2, 29), Date.UTC(2023, 2, 1));
    assert.equal(utcMs(2023, 1, 0), Date.UTC(2022, 11, 31));
    assert.equal(utcMs(2023, 1, 1, 24), Date.UTC(2023, 0, 2));
    assert.equal(daysInMonth(2024, 2), 29);
    assert.equal(daysInMonth(2100, 2), 28);
    assert.equal(civil(Date.UTC(2024, 11, 31)).dayOfYear, 366);
  });
});

describe("instants and durations", () => {
  it("parses dates (naive = UTC), offsets and Date objects", () => {
    assert.equal(parseInstant("2023-01-01"), Date.UTC(2023, 0, 1));
    assert.equal(parseInstant("2023-01-01T06:30:00"), Date.UTC(2023, 0, 1, 6, 30));
    assert.equal(parseInstant("2023-01-01T06:30:00+02:00"), Date.UTC(2023, 0, 1, 4, 30));
    assert.equal(parseInstant("2023-01-01T06:30:00.250Z"), Date.UTC(2023, 0, 1, 6, 30, 0, 250));
    assert.equal(parseInstant(new Date(Date.UTC(2023, 4, 5))), Date.UTC(2023, 4, 5));
    assert.throws(() => parseInstant("2023-02-30"), /no such day/);
    assert.throws(() => parseInstant("yesterday"), /invalid date "yesterday"/);
  });

  it("formats like Python's isoformat", () => {
    assert.equal(airflowIso(Date.UTC(2023, 0, 1)), "2023-01-01T00:00:00+00:00");
    assert.equal(airflowIso(Date.UTC(2023, 0, 1, 12, 5, 7, 123)), "2023-01-01T12:05:07.123000+00:00");
  });

  it("parses durations", () => {
    const cases: [number | string, number][] = [
      [30, 30], ["30s", 30], ["5m", 300], ["1h", 3600], ["1d", 86400], ["1h30m", 5400], ["500ms", 0.5], ["2w", 1209600],
      ["PT20S", 20], ["P1D", 86400], ["PT1H30M", 5400], ["P1DT2H", 93600], ["45", 45],
    ];
    for (const [input, seconds] of cases) assert.equal(parseDuration(input), seconds, String(input));
    for (const bad of ["", "5 minutes", "1y", "P", "PT", -1, "m5"]) assert.throws(() => parseDuration(bad), /invalid duration/, String(bad));
  });
});
