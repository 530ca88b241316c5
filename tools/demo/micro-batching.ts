// The demo's micro-batching scenario, in the order a day of it runs: prepare the environment
// (which starts the generator), generate a few times (the first run of the day triggers the load,
// later ones take `skip`), load what the topic holds (with a few malformed messages among it, to
// show the dead-letter), transform; then the row count of every table and the dead-letter count.
import { Partitioners } from "kafkajs";
import { blobService } from "../../functions/hooks/blob";
import { kafkaClient } from "../../functions/hooks/kafka";
import { postgresPool } from "../../functions/hooks/postgres";
import type { CliRuntime } from "../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances, startRun } from "../dagrun/run-dag";
import type { RunReport } from "../dagrun/run-report";
import { runSummary } from "../dagrun/run-table";

export const MICRO_BATCHING_DAGS = ["micro_batching_prepare_env", "micro_batching_generate_data", "micro_batching_load_data", "micro_batching_transform_data"];
const TOPIC = "micro_batching_logs";
const CONTAINER = "micro-batching";
const TABLES = ["logs", "logs_transformed", "df_country", "df_city", "df_age_group", "df_year_month"];
const GENERATE_RUNS = 3;

async function run(rt: CliRuntime, dagId: string, conf: Record<string, unknown> = {}): Promise<RunReport[]> {
  const dag = rt.requireDag(dagId);
  const before = knownInstances(rt);
  const started = Date.now();
  const record = await startRun(rt, dag, { runType: "manual", logicalDate: new Date().toISOString(), conf }, true);
  before.add(record.instance_id);
  const report = await awaitRun(rt, dag, record, started);
  const triggered = await awaitTriggeredRuns(rt, before);
  console.log(`\n== ${dagId}\n${runSummary(report)}`);
  for (const child of triggered) console.log(`\n== ${child.dagId} (triggered by ${dagId})\n${runSummary(child)}`);
  return [report, ...triggered];
}

/** A few messages no loader should accept, so the dead-letter has something to show. */
async function produceMalformed(): Promise<number> {
  const producer = kafkaClient("kafka_default").producer({ idempotent: true, createPartitioner: Partitioners.DefaultPartitioner });
  const values = [Buffer.from("not json at all"), Buffer.from('{"username": "x", "age": "thirty"}'), Buffer.from([0xff, 0xfe, 0x00])];
  await producer.connect();
  try {
    await producer.send({ topic: TOPIC, acks: -1, messages: values.map((value) => ({ value })) });
  } finally {
    await producer.disconnect();
  }
  return values.length;
}

async function deadLetterCount(): Promise<number> {
  const container = blobService("wasb_default").getContainerClient(CONTAINER);
  if (!(await container.exists())) return 0;
  let n = 0;
  for await (const b of container.listBlobsFlat({ prefix: "dead_letter/" })) {
    const text = (await container.getBlobClient(b.name).downloadToBuffer()).toString("utf8");
    n += text.split("\n").filter(Boolean).length;
  }
  return n;
}

export async function runMicroBatchingDemo(rt: CliRuntime): Promise<RunReport[]> {
  console.log("\n#### micro-batching: prepare, generate (x3), load, transform");
  const reports = [...(await run(rt, "micro_batching_prepare_env"))];
  for (let i = 0; i < GENERATE_RUNS; i++) {
    const runs = await run(rt, "micro_batching_generate_data");
    const branch = runs[0].tasks.find((t) => t.taskId === "trigger_load_data");
    console.log(`generate run ${i + 1}: trigger_load_data ${branch?.state === "success" ? "ran (first run today)" : "skipped (the load already ran today)"}`);
    reports.push(...runs);
  }
  console.log(`\nproduced ${await produceMalformed()} malformed messages to ${TOPIC}, for the dead-letter`);
  const load = await run(rt, "micro_batching_load_data");
  reports.push(...load);
  // The load triggers the day's transformation once; a later load the same day runs it here.
  if (!load.some((r) => r.dagId === "micro_batching_transform_data")) reports.push(...(await run(rt, "micro_batching_transform_data")));
  const pool = postgresPool("postgres_default");
  console.log("\nmicro-batching tables:");
  for (const table of TABLES) {
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM ${table}`);
    console.log(`  ${table.padEnd(17)} ${String(rows[0].n).padStart(8)} rows`);
  }
  const uploaded = await pool.query("SELECT count(*)::int AS n FROM logs WHERE status = 'uploaded'");
  console.log(`  ${"(still uploaded)".padEnd(17)} ${String(uploaded.rows[0].n).padStart(8)} rows`);
  console.log(`  ${"dead-letter".padEnd(17)} ${String(await deadLetterCount()).padStart(8)} messages (${CONTAINER}/dead_letter/)`);
  return reports;
}
