// `npm run demo`: the main job on embedded services. It brings all four local services up
// (installing what they need on first use), proves each with a real round trip, seeds what the
// DAGs' sensors look for, then runs every registered DAG end to end on the local runtime and
// prints a table of the runs. Exit 1 when a run that should succeed did not.
import { run as services } from "../cli/commands/services";
import { CliError } from "../cli/cli-error";
import { withCliRuntime } from "../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances, startRun } from "../dagrun/run-dag";
import type { RunReport } from "../dagrun/run-report";
import { runsTable, runSummary } from "../dagrun/run-table";
import { FINANCE_DAGS, runFinanceDemo } from "./finance";
import { MICRO_BATCHING_DAGS, runMicroBatchingDemo } from "./micro-batching";
import { seedSensorScenario } from "./seed";
import { runSourceDags, SOURCE_DAGS } from "./source-dags";

const DEMO_SERVICES = ["azurite", "postgres", "kafka", "spark"];
/** conf for DAGs that read it when run standalone (as their parent would pass it). */
const CONF: Record<string, Record<string, unknown>> = { child_dag_1: { message: "Hello from npm run demo." } };

async function runEveryDag(): Promise<RunReport[]> {
  return withCliRuntime({}, async (rt) => {
    const now = new Date();
    for (const line of await seedSensorScenario(now.toISOString().slice(0, 10))) console.log(`seeded ${line}`);
    const reports: RunReport[] = [];
    for (const dag of rt.listDags().filter((d) => !SOURCE_DAGS.includes(d.dagId) && !MICRO_BATCHING_DAGS.includes(d.dagId) && !FINANCE_DAGS.includes(d.dagId))) {
      const before = knownInstances(rt);
      const started = Date.now();
      // A distinct logical date per DAG run keeps repeated demos from clashing with earlier runs.
      const run = await startRun(rt, dag, { runType: "manual", logicalDate: new Date().toISOString(), conf: CONF[dag.dagId] ?? {} }, true);
      before.add(run.instance_id);
      const report = await awaitRun(rt, dag, run, started);
      const triggered = await awaitTriggeredRuns(rt, before);
      console.log(`\n== ${dag.dagId}\n${runSummary(report)}`);
      for (const child of triggered) console.log(`\n== ${child.dagId} (triggered by ${dag.dagId})\n${runSummary(child)}`);
      reports.push(report, ...triggered);
    }
    reports.push(...(await runSourceDags(rt)));
    reports.push(...(await runMicroBatchingDemo(rt)));
    reports.push(...(await runFinanceDemo(rt)));
    return reports;
  });
}

async function main(): Promise<number> {
  const upCode = await services(["up", ...DEMO_SERVICES]);
  if (upCode !== 0) return upCode;
  const statusCode = await services(["status", ...DEMO_SERVICES]);
  if (statusCode !== 0) return statusCode;
  const started = Date.now();
  const reports = await runEveryDag();
  console.log(`\n${runsTable(reports)}`);
  const failed = reports.filter((r) => r.state !== "success");
  console.log(`\n${reports.length} run(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${reports.length - failed.length} succeeded, ${failed.length} failed.`);
  for (const r of failed) console.log(`FAILED ${r.dagId} ${r.runId}${r.reason ? `: ${r.reason}` : ""}`);
  return failed.length ? 1 : 0;
}

main().then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    console.error(err instanceof CliError ? `azflow: ${err.message}` : err);
    process.exitCode = 1;
  },
);
