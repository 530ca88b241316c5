// bench/ingest's Functions-native loader, in a process of its own so its peak resident memory is
// its own: argv[2] is the load config (schema by name). Prints one JSON line with its figures.
import "../../functions/callables/micro-batching-load-data";
import { closePostgresPools } from "../../functions/hooks/postgres";
import { getRecordSchema } from "../../functions/kafka-loader/record-schema";
import { runKafkaLoad, type LoadConfig } from "../../functions/kafka-loader/run-load";

async function main(): Promise<void> {
  const raw = JSON.parse(process.argv[2]) as Omit<LoadConfig, "schema"> & { schema: string };
  const started = process.hrtime.bigint();
  const result = await runKafkaLoad({ ...raw, schema: getRecordSchema(raw.schema)! }, { log: () => undefined, signal: new AbortController().signal });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await closePostgresPools();
  // maxRSS is in kilobytes: the process's peak resident set.
  console.log(JSON.stringify({ seconds, loaded: result.loaded, deadLettered: result.deadLettered, batches: result.batches, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exit(1);
});
