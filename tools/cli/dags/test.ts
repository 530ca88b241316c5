// `azflow dags test <dag_id> [logical_date] [--conf JSON]`: Airflow's `dags test`. One manual run
// in this process on the local runtime (virtual clock: sensors and retries do not sleep), state
// recorded in the ledger, each task's log lines as they are written, then a table of task states
// and the last lines of any task that failed. An earlier run on the same logical date is cleared
// first, so the command can be repeated. Exit 1 when the run fails.
import { parseArgs, parseConfOption, withHelp, type CommandSpec } from "../parse-args";
import { APP, CONF, NO_START, QUIET, VERBOSE, taskLinePrinter, verboseLog } from "../common-options";
import { dateOption } from "./dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances, startRun } from "../../dagrun/run-dag";
import { runSummary } from "../../dagrun/run-table";
import { openTaskLogStream } from "../../dagrun/task-log-stream";

const SPEC: CommandSpec = {
  command: "dags test",
  summary: "One run of a DAG in this process on the local runtime (virtual clock: sensors and retry delays take no time), with each task's log lines as they are written, then a table of task states. Exit 1 when the run fails.",
  positionals: [
    { name: "dag_id", description: "the DAG to run" },
    { name: "logical_date", optional: true, description: "ISO 8601 (2024-01-01 or 2024-01-01T06:00:00+00:00); default now. A run on that date is replaced." },
  ],
  options: [CONF, APP, QUIET, VERBOSE, NO_START],
};

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const [dagId, dateText] = parsed.positionals;
    const logicalDate = dateText === undefined ? new Date().toISOString() : dateOption(dateText, "logical_date", SPEC);
    const conf = parseConfOption(parsed.options.get(CONF.name), SPEC);
    const quiet = parsed.flags.has(QUIET.name);
    const stream = openTaskLogStream({ print: taskLinePrinter(parsed), dagId });
    try {
      return await withCliRuntime({
        app: parsed.options.get(APP.name), log: verboseLog(parsed), startServices: !parsed.flags.has(NO_START.name),
        uses: (dags) => [{ dag: dags.requireDag(dagId) }],
      }, async (rt) => {
        const dag = rt.requireDag(dagId);
        const started = Date.now();
        const before = knownInstances(rt);
        const runRecord = await startRun(rt, dag, { runType: "manual", logicalDate, conf }, true);
        console.log(`Running ${dag.dagId} ${runRecord.dag_run_id} (data interval ${runRecord.data_interval_start} - ${runRecord.data_interval_end})`);
        before.add(runRecord.instance_id);
        const report = await awaitRun(rt, dag, runRecord, started);
        const triggered = await awaitTriggeredRuns(rt, before);
        console.log("");
        console.log(runSummary(report));
        for (const child of triggered) {
          console.log(`\nTriggered run ${child.dagId} ${child.runId}:`);
          console.log(runSummary(child));
        }
        if (!quiet) for (const line of stream.failedTails([report, ...triggered])) console.log(line);
        return report.state === "success" ? 0 : 1;
      });
    } finally {
      stream.close();
    }
  });
}
