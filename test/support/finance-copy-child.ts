// finance_elt's load of one blob in a process of its own, for the test that kills it mid-COPY:
// argv[2] is the blob's name in finance-data. It runs the task's own code (the callable and
// postgresCopy) and prints the XCom when it gets to finish; the test SIGKILLs it first, as a
// crashed or evicted worker would die: no rollback sent, no receipt written.
import { applyLocalAppSettings } from "../../tools/services/app-env";
import { serviceSettings } from "../../tools/services/settings";

async function main(): Promise<void> {
  applyLocalAppSettings(serviceSettings());
  await import("../../functions/callables/finance-elt");
  const { callableOperator } = await import("../../functions/activities/callable");
  const config = callableOperator.parse({ callable: "finance_elt.save_data_from_storage_to_db", kwargs: { blob_name: process.argv[2], container: "finance-data" } }, "child");
  const result = await callableOperator.execute(config, {
    dagId: "finance_elt", runId: "child", taskId: "save_data_from_storage_to_db", mapIndex: 0, tryNumber: 1, logicalDate: "2024-01-01T00:00:00Z",
    templateContext: {}, render: (s: string) => s, log: (m: string) => process.stderr.write(`${m}\n`), signal: new AbortController().signal,
    appRoot: process.cwd(), invocation: undefined as never,
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
