// bench/copy's activity side, in a process of its own so its peak resident memory is its own:
// finance_elt's load (postgresCopy as the DAG configures it: header check, conflict key, final
// line check) of argv[2] (container/blob) into table argv[3]. Prints one JSON line with its figures.
import { postgresCopyOperator } from "../../functions/activities/postgres-copy";
import { closePostgresPools } from "../../functions/hooks/postgres";

async function main(): Promise<void> {
  const [container, ...rest] = process.argv[2].split("/");
  const config = postgresCopyOperator.parse({
    table: process.argv[3], container, blob: rest.join("/"), header: true, conflict_keys: ["id"], quarantine: "move", require_final_newline: true,
  }, "bench/copy");
  const started = process.hrtime.bigint();
  const result = await postgresCopyOperator.execute(config, {
    dagId: "bench_copy", runId: "bench", taskId: "load", mapIndex: -1, tryNumber: 1, logicalDate: new Date().toISOString(),
    templateContext: {}, render: (s) => s, log: () => undefined, signal: new AbortController().signal, appRoot: process.cwd(), invocation: undefined as never,
  }) as { rows: number };
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await closePostgresPools();
  // maxRSS is in kilobytes: the process's peak resident set.
  console.log(JSON.stringify({ seconds, rows: result.rows, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
