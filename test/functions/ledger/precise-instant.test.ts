// Instants as Airflow's Python datetimes hold them: RFC 3339 with a zone, years 1-9999 in UTC,
// microseconds kept; and the clock that never gives two callers the same "now".
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { comparePrecise, formatPreciseInstant, InstantError, parsePreciseInstant, preciseNow } from "../../../functions/ledger/precise-instant";
import { ilikeMatcher } from "../../../functions/http/api/query";

describe("precise instants", () => {
  it("keeps microseconds and prints Python's isoformat in UTC", () => {
    const at = parsePreciseInstant("2024-05-06T07:08:09.123456+02:00");
    assert.equal(formatPreciseInstant(at), "2024-05-06T05:08:09.123456+00:00");
    assert.equal(formatPreciseInstant(parsePreciseInstant("2024-05-06T07:08:09Z")), "2024-05-06T07:08:09+00:00");
    assert.equal(formatPreciseInstant(parsePreciseInstant("2024-05-06T07:08:09.5+05")), "2024-05-06T02:08:09.500000+00:00");
    assert.ok(comparePrecise(parsePreciseInstant("2024-01-01T00:00:00.123456Z"), parsePreciseInstant("2024-01-01T00:00:00.123789Z")) < 0);
    assert.equal(formatPreciseInstant(parsePreciseInstant("0001-01-01T00:00:00Z")), "0001-01-01T00:00:00+00:00");
    assert.equal(formatPreciseInstant(parsePreciseInstant("9999-12-31T23:59:59.999999Z")), "9999-12-31T23:59:59.999999+00:00");
  });

  it("refuses what Python's datetime cannot hold, and naive values unless told they are UTC", () => {
    for (const text of ["0000-06-01T00:00:00Z", "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "2024-01-01T00:00:00+24:00", "2024-01-01T00:00:00+05:60", "2023-02-29T00:00:00Z", "2024-01-01T24:00:00Z", "soon"]) {
      assert.throws(() => parsePreciseInstant(text), InstantError, text);
    }
    assert.throws(() => parsePreciseInstant("2024-01-01T00:00:00"), (err: InstantError) => err.naive && err.message === "Naive datetime is disallowed");
    assert.throws(() => parsePreciseInstant("2024-01-01"), (err: InstantError) => err.naive);
    assert.equal(formatPreciseInstant(parsePreciseInstant("2024-01-01", { naiveAsUtc: true })), "2024-01-01T00:00:00+00:00");
  });

  it("never gives the same now twice in one process", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) seen.add(formatPreciseInstant(preciseNow(1_700_000_000_000)));
    assert.equal(seen.size, 2000);
  });

  it("reads dag_id_pattern as SQL ILIKE", () => {
    const m = ilikeMatcher("%a_c%");
    assert.deepEqual(["xabcx", "ABC", "ac", "a_c", "abbc"].map(m), [true, true, false, true, false]);
    assert.equal(ilikeMatcher("100\\%")("100%"), true);
    assert.equal(ilikeMatcher("100\\%")("1000"), false);
    assert.equal(ilikeMatcher("(.*)")("(.*)"), true);
  });
});
