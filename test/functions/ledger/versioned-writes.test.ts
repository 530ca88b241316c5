// Conditional task-row writes against Azurite's Table service: a newer version replaces, an older
// one is refused, and a row this process wrote last is written again without a read, yet a change
// or a delete made by someone else in between is still seen (the write is conditional on the ETag).
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { TableClient } from "@azure/data-tables";
import { taskPartition, taskRowKey } from "../../../functions/ledger/run-ledger";
import { writeTaskRowsIfNewer } from "../../../functions/ledger/versioned-writes";
import { ledgerVersion } from "../../../orchestrations/runtime/orchestrator/task-invocation";
import { suiteLedger } from "../../support/test-ledger";

const v = (seq: number) => ledgerVersion(1_700_000_000_000, seq);

/** Counts the reads the ledger's task table serves (point reads and queries). */
function countReads(table: TableClient): { reads: number } {
  const counter = { reads: 0 };
  const getEntity = table.getEntity.bind(table);
  const listEntities = table.listEntities.bind(table);
  table.getEntity = ((...args: Parameters<TableClient["getEntity"]>) => {
    counter.reads += 1;
    return getEntity(...args);
  }) as TableClient["getEntity"];
  table.listEntities = ((...args: Parameters<TableClient["listEntities"]>) => {
    counter.reads += 1;
    return listEntities(...args);
  }) as TableClient["listEntities"];
  return counter;
}

describe("versioned task-row writes (Azurite)", () => {
  const { ledgerFor, drop } = suiteLedger();
  after(drop);

  it("replaces a row only with a newer version and refuses an older one", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    const row = (seq: number, state: string) => ({ task_id: "a", map_index: -1, state: state as "running", version: v(seq) });
    assert.deepEqual([...(await writeTaskRowsIfNewer(t.ledger, "vw", "r1", [row(2, "running")]))], []);
    assert.deepEqual([...(await writeTaskRowsIfNewer(t.ledger, "vw", "r1", [row(5, "success")]))], []);
    assert.deepEqual([...(await writeTaskRowsIfNewer(t.ledger, "vw", "r1", [row(3, "failed")]))], ["a#-1"]);
    const [stored] = await t.ledger.listTaskInstances("vw", "r1");
    assert.equal(stored.state, "success");
  });

  it("writes a row it created or wrote last without reading it first", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    await t.ledger.createTaskInstances("vw", "r2", [{ task_id: "a", map_index: -1, try_number: 0, max_tries: 0, operator: "python" }]);
    const counter = countReads(t.ledger.tasks);
    await writeTaskRowsIfNewer(t.ledger, "vw", "r2", [{ task_id: "a", map_index: -1, state: "running", try_number: 1, version: v(1) }]);
    await writeTaskRowsIfNewer(t.ledger, "vw", "r2", [{ task_id: "a", map_index: -1, state: "success", version: v(2) }]);
    assert.equal(counter.reads, 0);
    const [stored] = await t.ledger.listTaskInstances("vw", "r2");
    assert.deepEqual([stored.state, stored.try_number, stored.operator], ["success", 1, "python"]);
  });

  it("sees a newer row someone else wrote after this process's last write, and refuses its own older one", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    await writeTaskRowsIfNewer(t.ledger, "vw", "r3", [{ task_id: "a", map_index: -1, state: "running", version: v(1) }]);
    // Another worker (a mark from the REST API, another host) writes a later decision directly.
    await t.tasksTable.updateEntity({ partitionKey: taskPartition("vw", "r3"), rowKey: taskRowKey("a", -1), state: "failed", version: v(9) }, "Merge");
    const rejected = await writeTaskRowsIfNewer(t.ledger, "vw", "r3", [{ task_id: "a", map_index: -1, state: "success", version: v(2) }]);
    assert.deepEqual([...rejected], ["a#-1"]);
    const [stored] = await t.ledger.listTaskInstances("vw", "r3");
    assert.equal(stored.state, "failed");
  });

  it("keeps fields someone else merged in after this process's last write when its newer row lands", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    await writeTaskRowsIfNewer(t.ledger, "vw", "r4", [{ task_id: "a", map_index: -1, state: "running", version: v(1) }]);
    await t.tasksTable.updateEntity({ partitionKey: taskPartition("vw", "r4"), rowKey: taskRowKey("a", -1), note: "looked at" }, "Merge");
    await writeTaskRowsIfNewer(t.ledger, "vw", "r4", [{ task_id: "a", map_index: -1, state: "success", version: v(2) }]);
    const [stored] = await t.ledger.listTaskInstances("vw", "r4");
    assert.deepEqual([stored.state, stored.note], ["success", "looked at"]);
  });

  it("recreates a row deleted after this process's last write instead of failing on it", async (ctx) => {
    const t = await ledgerFor(ctx);
    if (!t) return;
    await writeTaskRowsIfNewer(t.ledger, "vw", "r5", [
      { task_id: "a", map_index: -1, state: "running", version: v(1) },
      { task_id: "b", map_index: -1, state: "running", version: v(2) },
    ]);
    await t.tasksTable.deleteEntity(taskPartition("vw", "r5"), taskRowKey("a", -1));
    const rejected = await writeTaskRowsIfNewer(t.ledger, "vw", "r5", [
      { task_id: "a", map_index: -1, state: "success", version: v(3) },
      { task_id: "b", map_index: -1, state: "success", version: v(4) },
    ]);
    assert.deepEqual([...rejected], []);
    const stored = await t.ledger.listTaskInstances("vw", "r5");
    assert.deepEqual(stored.map((r) => [r.task_id, r.state]), [["a", "success"], ["b", "success"]]);
  });
});
