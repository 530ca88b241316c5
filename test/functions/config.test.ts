import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { SettingsError, loadAppConfig, readBool, readInt, readList, readPort, readString } from "../../functions/config";

function throwsNaming(fn: () => unknown, setting: string, detail: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SettingsError, "a SettingsError");
    assert.ok(err.message.includes(setting), `'${err.message}' names ${setting}`);
    assert.match(err.message, detail);
    return true;
  });
}

describe("readString", () => {
  test("returns the trimmed value", () => assert.equal(readString({ A: "  x  " }, "A"), "x"));
  test("falls back when missing or blank", () => {
    assert.equal(readString({}, "A", "d"), "d");
    assert.equal(readString({ A: "   " }, "A", "d"), "d");
  });
  test("a missing required setting names it", () => throwsNaming(() => readString({}, "AZFLOW_X"), "AZFLOW_X", /required but not set/));
});

describe("readInt and readPort", () => {
  test("parse integers, negative ones too", () => {
    assert.equal(readInt({ N: " 42 " }, "N", 0), 42);
    assert.equal(readInt({ N: "-3" }, "N", 0, -10), -3);
  });
  test("fall back when missing or blank", () => {
    assert.equal(readInt({}, "N", 7), 7);
    assert.equal(readPort({ P: "" }, "P", 10000), 10000);
  });
  test("reject non-integers naming the setting and the value", () => {
    throwsNaming(() => readInt({ N: "4.5" }, "N", 0), "N", /must be an integer, got '4.5'/);
    throwsNaming(() => readInt({ N: "12abc" }, "N", 0), "N", /must be an integer/);
    throwsNaming(() => readPort({ AZFLOW_POSTGRES_PORT: "five" }, "AZFLOW_POSTGRES_PORT", 1), "AZFLOW_POSTGRES_PORT", /got 'five'/);
  });
  test("reject values out of range", () => {
    throwsNaming(() => readInt({ N: "11" }, "N", 0, 0, 10), "N", /between 0 and 10, got 11/);
    throwsNaming(() => readPort({ P: "0" }, "P", 1), "P", /between 1 and 65535/);
    throwsNaming(() => readPort({ P: "65536" }, "P", 1), "P", /between 1 and 65535/);
  });
});

describe("readBool", () => {
  test("accepts the usual spellings", () => {
    for (const v of ["1", "true", "YES", "on"]) assert.equal(readBool({ B: v }, "B", false), true);
    for (const v of ["0", "false", "No", "off"]) assert.equal(readBool({ B: v }, "B", true), false);
    assert.equal(readBool({}, "B", true), true);
  });
  test("rejects anything else naming the setting", () => throwsNaming(() => readBool({ B: "maybe" }, "B", false), "B", /true or false, got 'maybe'/));
});

describe("readList", () => {
  test("splits on commas and drops blanks", () => assert.deepEqual(readList({ L: " a, b,,c ," }, "L"), ["a", "b", "c"]));
  test("is empty when missing", () => assert.deepEqual(readList({}, "L"), []));
});

describe("loadAppConfig", () => {
  test("has defaults for every setting", () => {
    const config = loadAppConfig({});
    assert.equal(config.taskHub, "azflow");
    assert.equal(config.stateContainer, "azflow-state");
    assert.deepEqual(config.pausedDags, []);
    assert.ok(Number.isInteger(config.xcomInlineMaxBytes) && config.xcomInlineMaxBytes > 0);
  });
  test("reads every setting", () => {
    const config = loadAppConfig({
      AZFLOW_TASK_HUB: "hub2",
      AZFLOW_XCOM_INLINE_MAX_BYTES: "1024",
      AZFLOW_PAUSED_DAGS: "a,b",
      AZFLOW_STATE_CONTAINER: "state-1",
      AZFLOW_LOG_CONTAINER: "logs-1",
      AZFLOW_API_MAX_BODY_BYTES: "4096",
    });
    assert.deepEqual(config, { taskHub: "hub2", xcomInlineMaxBytes: 1024, pausedDags: ["a", "b"], stateContainer: "state-1", logContainer: "logs-1", apiMaxBodyBytes: 4096 });
  });
  test("rejects a task hub Azure would refuse", () => {
    throwsNaming(() => loadAppConfig({ AZFLOW_TASK_HUB: "my-hub" }), "AZFLOW_TASK_HUB", /3-45 letters or digits/);
    throwsNaming(() => loadAppConfig({ AZFLOW_TASK_HUB: "1hub" }), "AZFLOW_TASK_HUB", /got '1hub'/);
  });
  test("rejects an invalid container name", () => {
    throwsNaming(() => loadAppConfig({ AZFLOW_STATE_CONTAINER: "Bad_Name" }), "AZFLOW_STATE_CONTAINER", /not a valid blob container name/);
    throwsNaming(() => loadAppConfig({ AZFLOW_STATE_CONTAINER: "a--b" }), "AZFLOW_STATE_CONTAINER", /not a valid/);
  });
  test("rejects an inline XCom bound out of range", () => {
    throwsNaming(() => loadAppConfig({ AZFLOW_XCOM_INLINE_MAX_BYTES: "200000000" }), "AZFLOW_XCOM_INLINE_MAX_BYTES", /between 0 and \d+, got 200000000/);
    throwsNaming(() => loadAppConfig({ AZFLOW_XCOM_INLINE_MAX_BYTES: "-1" }), "AZFLOW_XCOM_INLINE_MAX_BYTES", /between 0 and/);
    throwsNaming(() => loadAppConfig({ AZFLOW_XCOM_INLINE_MAX_BYTES: "48k" }), "AZFLOW_XCOM_INLINE_MAX_BYTES", /must be an integer, got '48k'/);
  });
});
