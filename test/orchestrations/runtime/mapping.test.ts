import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { collectMappedResults, expandMapping, instanceConfig, MAX_MAP_LENGTH } from "../../../orchestrations/runtime/rules/mapping";
import { xcomRef } from "../../../orchestrations/runtime/model/xcom-ref";
import type { XComRef } from "../../../orchestrations/runtime/model/xcom-ref";

const noXCom = (ref: XComRef): unknown => {
  throw new Error(`unexpected XCom ${ref.$xcom.taskId}`);
};

describe("expand(): cross product, last argument varies fastest", () => {
  it("one list gives one instance per item, in order", () => {
    assert.deepEqual(expandMapping({ kind: "expand", args: { x: [1, 2, 3] } }, noXCom), { ok: true, instances: [{ x: 1 }, { x: 2 }, { x: 3 }] });
  });

  it("two lists give itertools.product order", () => {
    const r = expandMapping({ kind: "expand", args: { a: [1, 2], b: ["x", "y", "z"] } }, noXCom);
    assert.deepEqual(r, {
      ok: true,
      instances: [
        { a: 1, b: "x" }, { a: 1, b: "y" }, { a: 1, b: "z" },
        { a: 2, b: "x" }, { a: 2, b: "y" }, { a: 2, b: "z" },
      ],
    });
  });

  it("a dict maps over its (key, value) pairs", () => {
    assert.deepEqual(expandMapping({ kind: "expand", args: { kv: { a: 1, b: 2 } } }, noXCom), { ok: true, instances: [{ kv: ["a", 1] }, { kv: ["b", 2] }] });
  });

  it("an argument may come from an upstream's XCom", () => {
    const r = expandMapping({ kind: "expand", args: { file: xcomRef("list_files") } }, (ref) => (ref.$xcom.taskId === "list_files" ? ["a.csv", "b.csv"] : null));
    assert.deepEqual(r, { ok: true, instances: [{ file: "a.csv" }, { file: "b.csv" }] });
  });

  it("an empty list gives no instances (the mapped task is SKIPPED)", () => {
    assert.deepEqual(expandMapping({ kind: "expand", args: { x: [] } }, noXCom), { ok: true, instances: [] });
    assert.deepEqual(expandMapping({ kind: "expand", args: { a: [1, 2], b: [] } }, noXCom), { ok: true, instances: [] });
  });

  it("only lists and dicts map", () => {
    assert.deepEqual(expandMapping({ kind: "expand", args: { x: xcomRef("u") } }, () => "text"), {
      ok: false, error: "expand() argument 'x' must be a list or dict, got string",
    });
    assert.deepEqual(expandMapping({ kind: "expand", args: { x: xcomRef("u") } }, () => null), {
      ok: false, error: "expand() argument 'x' must be a list or dict, got None",
    });
  });

  it(`more than max_map_length (${MAX_MAP_LENGTH}) items fails`, () => {
    const ok = expandMapping({ kind: "expand", args: { x: Array.from({ length: 1024 }, (_, i) => i) } }, noXCom);
    assert.ok(ok.ok && ok.instances.length === 1024);
    const tooMany = expandMapping({ kind: "expand", args: { x: Array.from({ length: 1025 }, (_, i) => i) } }, noXCom);
    assert.deepEqual(tooMany, { ok: false, error: "expand() argument 'x' has 1025 items, more than max_map_length 1024" });
  });
});

describe("expand_kwargs()", () => {
  it("maps over a list of argument dicts", () => {
    const r = expandMapping({ kind: "expand_kwargs", source: [{ a: 1, b: 2 }, { a: 3 }] }, noXCom);
    assert.deepEqual(r, { ok: true, instances: [{ a: 1, b: 2 }, { a: 3 }] });
  });

  it("from an upstream's XCom, empty, and bad items", () => {
    assert.deepEqual(expandMapping({ kind: "expand_kwargs", source: xcomRef("u") }, () => [{ x: 1 }]), { ok: true, instances: [{ x: 1 }] });
    assert.deepEqual(expandMapping({ kind: "expand_kwargs", source: [] }, noXCom), { ok: true, instances: [] });
    assert.deepEqual(expandMapping({ kind: "expand_kwargs", source: [{ a: 1 }, 2] }, noXCom), { ok: false, error: "expand_kwargs() item 1 must be a dict, got number" });
    assert.deepEqual(expandMapping({ kind: "expand_kwargs", source: xcomRef("u") }, () => ({ a: 1 })), { ok: false, error: "expand_kwargs() expects a list of dicts, got object" });
    const tooMany = expandMapping({ kind: "expand_kwargs", source: Array.from({ length: 1025 }, () => ({})) }, noXCom);
    assert.equal(tooMany.ok, false);
  });
});

describe("mapped configs and results", () => {
  it("an instance's config is the partial config plus its arguments", () => {
    assert.deepEqual(instanceConfig({ container: "c", overwrite: false }, { file: "a.csv" }), { container: "c", overwrite: false, file: "a.csv" });
  });

  it("downstream sees results by map_index with None omitted", () => {
    assert.deepEqual(collectMappedResults(["a", null, "c", undefined, 0, false, ""]), ["a", "c", 0, false, ""]);
    assert.deepEqual(collectMappedResults([]), []);
  });
});
