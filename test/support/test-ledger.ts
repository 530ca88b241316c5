// A run ledger on tables of its own in Azurite, so a test never sees rows from another test or an
// earlier run; drop() deletes the tables afterwards.
import type { TestContext } from "node:test";
import { TableClient } from "@azure/data-tables";
import { RunLedger } from "../../functions/ledger/run-ledger";
import { azuriteConnectionString, needService, uniqueName } from "./services";

export interface TestLedger {
  ledger: RunLedger;
  runsTable: TableClient;
  tasksTable: TableClient;
  drop(): Promise<void>;
}

export function testLedger(): TestLedger {
  const table = (prefix: string) => TableClient.fromConnectionString(azuriteConnectionString(), uniqueName(prefix), { allowInsecureConnection: true });
  const runsTable = table("testruns");
  const tasksTable = table("testtasks");
  return {
    ledger: new RunLedger(runsTable, tasksTable),
    runsTable,
    tasksTable,
    async drop() {
      await Promise.all([runsTable.deleteTable(), tasksTable.deleteTable()]);
    },
  };
}

/** A ledger record without the service-kept update time, to compare with what was written. */
export function asWritten<T extends { updated_at?: string }>(record: T | undefined): Omit<T, "updated_at"> | undefined {
  if (record === undefined) return undefined;
  const { updated_at: _updated, ...rest } = record;
  return rest;
}

/**
 * One test ledger for a suite, made on first use. `ledgerFor` answers undefined (the test is then
 * marked skipped) when Azurite cannot run here; call `drop` in the suite's after().
 */
export function suiteLedger(): { ledgerFor(ctx: TestContext): Promise<TestLedger | undefined>; drop(): Promise<void> } {
  let t: TestLedger | undefined;
  return {
    async ledgerFor(ctx) {
      if (!(await needService(ctx, "azurite"))) return undefined;
      t ??= testLedger();
      return t;
    },
    async drop() {
      await t?.drop();
    },
  };
}
