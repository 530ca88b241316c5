// One DAG shape of `npm run bench -- dag`, in a process of its own so its peak resident memory is
// its own: runs the DAG twice on the local runtime in test mode (the first run warms up modules
// and JIT) and prints one JSON line with the second run's figures.
import * as path from "node:path";
import { startLocalDagRuntime } from "../tools/dagrun/local-dag-runtime";

async function main(dagId: string): Promise<void> {
  const rt = await startLocalDagRuntime({ mode: "test", entry: path.join(__dirname, "apps", "shapes.js") });
  const { createDagRun } = await import("../functions/runs/create-dag-run");
  const { getDag } = await import("../functions/dag-registry");
  const dag = getDag(dagId);
  if (!dag) throw new Error(`${dagId} is not registered in bench/apps/shapes.ts`);
  const runs: { seconds: number; cpu_seconds: number; episodes: number; replayed_events: number; instances: number; actions: number; states: Record<string, number> }[] = [];
  try {
    for (const label of ["cold", "warm"]) {
      const started = process.hrtime.bigint();
      const cpu = process.cpuUsage();
      const before = { ...rt.engine.stats };
      const created = await createDagRun({ ledger: rt.ledger, starter: rt.starter, now: new Date() }, dag, { runType: "manual", runId: `bench_${label}_${Date.now()}` });
      if (!created.created) throw new Error(`run exists: ${created.conflict}`);
      const status = await rt.engine.waitForCompletion(created.run.instance_id, { timeoutMs: 600_000 });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      const output = status.output as { state: string; tasks: { state: string | null }[]; actions?: { activities: number; timers: number; continuations?: number } } | undefined;
      if (status.runtimeStatus !== "Completed" || output?.state !== "success") {
        throw new Error(`${dagId} ${label} run ended ${status.runtimeStatus}/${output?.state}: ${JSON.stringify(status.failure ?? output).slice(0, 500)}`);
      }
      const states: Record<string, number> = {};
      for (const t of output.tasks) states[t.state ?? "none"] = (states[t.state ?? "none"] ?? 0) + 1;
      runs.push({
        seconds, cpu_seconds: (used.user + used.system) / 1e6,
        episodes: rt.engine.stats.episodes - before.episodes, replayed_events: rt.engine.stats.replayedEvents - before.replayedEvents,
        instances: output.tasks.length, actions: (output.actions?.activities ?? 0) + (output.actions?.timers ?? 0) + (output.actions?.continuations ?? 0), states });
      await rt.ledger.deleteRun(dag.dagId, created.run.dag_run_id);
    }
  } finally {
    await rt.close();
  }
  const warm = runs[1];
  console.log(JSON.stringify({
    dagId, seconds: warm.seconds, cold_seconds: runs[0].seconds, cpu_seconds: warm.cpu_seconds, episodes: warm.episodes, replayed_events: warm.replayed_events, instances: warm.instances, actions: warm.actions, states: warm.states,
    rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
  }));
}

main(process.argv[2]).catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
