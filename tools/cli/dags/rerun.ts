// `azflow dags rerun <dag_id> <run_id> --failed-only`: Airflow's `tasks clear --only-failed` and
// a new start of the run on the local runtime. Succeeded and skipped instances keep their stored
// XComs and do not run; failed, upstream_failed and unfinished ones run again under the same run id.
import { CliError } from "../cli-error";
import { APP, NO_START, QUIET, VERBOSE, taskLinePrinter, verboseLog } from "../common-options";
import { parseArgs, usageError, withHelp, type CommandSpec } from "../parse-args";
import { withCliRuntime, type CliRuntime } from "../../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances } from "../../dagrun/run-dag";
import { rerunFailedTasks } from "../../dagrun/rerun-failed";
import { runSummary } from "../../dagrun/run-table";
import { openTaskLogStream, type TaskLogStream } from "../../dagrun/task-log-stream";

const SPEC: CommandSpec = {
  command: "dags rerun",
  summary: "Run a finished run's failed tasks again under the same run id, reusing the results of the tasks that succeeded or were skipped (Airflow's `tasks clear --only-failed`), with their log lines as they are written.",
  positionals: [
    { name: "dag_id", description: "the DAG" },
    { name: "run_id", description: "the run to rerun (as `dags test` or the REST API names it)" },
  ],
  options: [
    { name: "--failed-only", description: "rerun only failed, upstream_failed and unfinished tasks (required: clearing everything is `dags test` on the run's logical date)" },
    { name: "--force", description: "rerun a run the ledger still shows as queued or running" },
    APP, QUIET, VERBOSE, NO_START,
  ],
};

async function rerun(rt: CliRuntime, dagId: string, runId: string, force: boolean, stream: TaskLogStream, quiet: boolean): Promise<number> {
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
  if (!quiet) for (const line of stream.failedTails([report, ...triggered])) console.log(line);
  return report.state === "success" ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    if (!parsed.flags.has("--failed-only")) throw usageError(SPEC, "--failed-only is required");
    const [dagId, runId] = parsed.positionals;
    const stream = openTaskLogStream({ print: taskLinePrinter(parsed), dagId });
    try {
      return await withCliRuntime({
        app: parsed.options.get(APP.name), log: verboseLog(parsed), startServices: !parsed.flags.has(NO_START.name),
        uses: (dags) => [{ dag: dags.requireDag(dagId) }],
      }, (rt) => rerun(rt, dagId, runId, parsed.flags.has("--force"), stream, parsed.flags.has(QUIET.name)));
    } finally {
      stream.close();
    }
  });
}
