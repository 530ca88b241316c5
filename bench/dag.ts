// Benchmark: a 500-task DAG (bench/apps/dag500.ts) end to end on the local runtime in test mode:
// the generic orchestrator, real activities for its python tasks, the run ledger in Azurite and
// the determinism replay check. Needs Azurite (`azflow services up azurite`).
// Prints readable lines, then one JSON object with the figures as the very last line.
import * as os from "node:os";
import * as path from "node:path";
import { startLocalDagRuntime, type LocalDagRuntime } from "../tools/dagrun/local-dag-runtime";

const TARGET_S = 3;
// Not imported from the app: requiring the app here would register its functions outside loadApp.
const DAG500_ID = "bench_dag500";

interface Timed {
  seconds: number;
  instances: number;
  states: Record<string, number>;
}

async function runOnce(rt: LocalDagRuntime, label: string): Promise<Timed> {
  const { createDagRun } = await import("../functions/runs/create-dag-run");
  const { getDag } = await import("../functions/dag-registry");
  const dag = getDag(DAG500_ID);
  if (!dag) throw new Error(`${DAG500_ID} is not registered`);
  const started = process.hrtime.bigint();
  const result = await createDagRun({ ledger: rt.ledger, starter: rt.starter, now: new Date() }, dag, { runType: "manual", runId: `bench_${label}_${Date.now()}` });
  if (!result.created) throw new Error(`run exists: ${result.existing.dag_run_id}`);
  const status = await rt.engine.waitForCompletion(result.run.instance_id, { timeoutMs: 120_000 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const output = status.output as { state: string; tasks: { state: string | null }[] } | undefined;
  if (status.runtimeStatus !== "Completed" || output?.state !== "success") {
    throw new Error(`${label} run ended ${status.runtimeStatus}/${output?.state}: ${JSON.stringify(status.failure ?? output).slice(0, 500)}`);
  }
  const states: Record<string, number> = {};
  for (const t of output.tasks) states[t.state ?? "none"] = (states[t.state ?? "none"] ?? 0) + 1;
  // The ledger keeps every bench run otherwise; they are not worth keeping.
  await rt.ledger.deleteRun(DAG500_ID, result.run.dag_run_id);
  return { seconds, instances: output.tasks.length, states };
}

async function main(): Promise<void> {
  const rt = await startLocalDagRuntime({ mode: "test", entry: path.join(__dirname, "apps", "dag500.js") });
  try {
    console.log(`dag500 benchmark: node ${process.version}, ${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}`);
    const cold = await runOnce(rt, "cold");
    console.log(`first run (JIT warm-up)   ${cold.seconds.toFixed(3)} s`);
    const warm = await runOnce(rt, "warm");
    const perTaskMs = (warm.seconds * 1000) / warm.instances;
    console.log(`second run                ${warm.seconds.toFixed(3)} s   ${warm.instances} task instances (500 tasks, one mapped 50-way): ${JSON.stringify(warm.states)}`);
    console.log(`per task instance         ${perTaskMs.toFixed(2)} ms (orchestration replay, activity, ledger writes)`);
    console.log(`target                    <= ${TARGET_S} s  ${warm.seconds <= TARGET_S ? "ok" : "OVER"}`);
    console.log(JSON.stringify({ dag500_s: round(warm.seconds), dag500_cold_s: round(cold.seconds), per_task_ms: round(perTaskMs, 2) }));
  } finally {
    await rt.close();
    await (await import("../functions/hooks/postgres")).closePostgresPools();
  }
}

function round(value: number, digits = 3): number {
  return Number(value.toFixed(digits));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
