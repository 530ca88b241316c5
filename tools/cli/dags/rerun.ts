// `azflow dags rerun <dag_id> <run_id> --failed-only`: Airflow's `tasks clear --only-failed` and
// a new start of the run on the local runtime. Succeeded and skipped instances keep their stored
// XComs and do not run; failed, upstream_failed and unfinished ones run again under the same run id.
import { CliError } from "../cli-error";
import { parseArgs, withHelp } from "../parse-args";
import { withCliRuntime, type CliRuntime } from "../../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances } from "../../dagrun/run-dag";
import { rerunFailedTasks } from "../../dagrun/rerun-failed";
import { runSummary } from "../../dagrun/run-table";

const USAGE = `usage: azflow dags rerun <dag_id> <run_id> --failed-only [--force] [--app PATH] [--verbose]
  --failed-only  rerun only failed, upstream_failed and unfinished tasks (required: clearing
                 everything is \`dags test\` on the run's logical date)
  --force        rerun a run the ledger still shows as queued or running`;

async function rerun(rt: CliRuntime, dagId: string, runId: string, force: boolean): Promise<number> {
  const dag = rt.requireDag(dagId);
  const runRecord = await rt.ledger.getDagRun(dagId, runId);
  if (!runRecord) throw new CliError(`DAG '${dagId}' has no run '${runId}'.`);
  if ((runRecord.state === "queued" || runRecord.state === "running") && !force) {
    throw new CliError(`run '${runId}' is ${runRecord.state}; wait for it to finish, or pass --force if nothing runs it any more.`);
  }
  const started = Date.now();
  const before = knownInstances(rt);
  const plan = await rerunFailedTasks(rt, dag, runRecord);
  before.add(runRecord.instance_id);
  console.log(`Rerunning ${dagId} ${runId}: ${plan.rerun.length} task(s) run again (${plan.rerun.join(", ") || "none"}), ${plan.reused.size} reused.`);
  const report = await awaitRun(rt, dag, runRecord, started, plan.reused);
  await plan.restore();
  const triggered = await awaitTriggeredRuns(rt, before);
  console.log("");
  console.log(runSummary(report));
  for (const child of triggered) console.log(`\nTriggered run ${child.dagId} ${child.runId}:\n${runSummary(child)}`);
  return report.state === "success" ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, { options: ["--app"], flags: ["--failed-only", "--force", "--verbose"], aliases: { "-v": "--verbose" }, positionals: { min: 2, max: 2 } }, USAGE);
    if (!parsed.flags.has("--failed-only")) throw new CliError(`--failed-only is required.\n${USAGE}`, 2);
    const [dagId, runId] = parsed.positionals;
    const log = parsed.flags.has("--verbose") ? (line: string) => console.error(line) : undefined;
    return withCliRuntime({ app: parsed.options.get("--app"), log }, (rt) => rerun(rt, dagId, runId, parsed.flags.has("--force")));
  });
}
