// A load in a process of its own, for the tests that kill it: argv[2] is the LoadConfig (the
// schema by name), argv[3] where to die ("after_store" or "mid_copy", "none" to finish) and
// argv[4] on which batch (1-based). It dies by SIGKILL, as a crashed or evicted worker would:
// no finally block, no rollback sent, no offset commit.
import "../../functions/callables/micro-batching-load-data";
import { getRecordSchema } from "../../functions/kafka-loader/record-schema";
import { runKafkaLoad, type LoadConfig } from "../../functions/kafka-loader/run-load";

async function main(): Promise<void> {
  const raw = JSON.parse(process.argv[2]) as Omit<LoadConfig, "schema"> & { schema: string };
  const killAt = process.argv[3];
  const onBatch = Number(process.argv[4] ?? 1);
  const config: LoadConfig = { ...raw, schema: getRecordSchema(raw.schema)! };
  let stored = 0;
  let copies = 0;
  const die = (): never => {
    process.kill(process.pid, "SIGKILL");
    throw new Error("unreachable");
  };
  const result = await runKafkaLoad(config, { log: () => undefined, signal: new AbortController().signal }, {
    onStep: (step) => {
      if (step === "after_store" && ++stored === onBatch && killAt === "after_store") die();
    },
    onMidCopy: () => {
      if (++copies === onBatch && killAt === "mid_copy") die();
    },
  });
  process.stdout.write(JSON.stringify(result) + "\n");
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack ?? err.message}\n`);
  process.exit(1);
});
