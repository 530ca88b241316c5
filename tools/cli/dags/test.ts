// `azflow dags test <dag_id> [logical_date] [--conf JSON]`: Airflow's `dags test`. One manual run
// in this process on the local runtime (virtual clock: sensors and retries do not sleep), state
// recorded in the ledger, then a table of task states. An earlier run on the same logical date is
// cleared first, so the command can be repeated. Exit 1 when the run fails.
import { parseArgs, parseConfOption, withHelp } from "../parse-args";
import { dateOption } from "./dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { awaitRun, awaitTriggeredRuns, knownInstances, startRun } from "../../dagrun/run-dag";
import { runSummary } from "../../dagrun/run-table";

const USAGE = `usage: azflow dags test <dag_id> [logical_date] [--conf JSON] [--app PATH] [--verbose]
  logical_date   ISO 8601 (2024-01-01 or 2024-01-01T06:00:00+00:00); default now
  --conf JSON    dag_run.conf, a JSON object
  --app PATH     the app directory or entry file (default: the current directory's package.json main)
  --verbose      print the runtime's log lines (task logs) as they happen`;

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, { options: ["--conf", "--app"], flags: ["--verbose"], aliases: { "-c": "--conf", "-v": "--verbose" }, positionals: { min: 1, max: 2 } }, USAGE);
    const [dagId, dateText] = parsed.positionals;
    const logicalDate = dateText === undefined ? new Date().toISOString() : dateOption(dateText, "logical_date", USAGE);
    const conf = parseConfOption(parsed.options.get("--conf"), USAGE);
    const log = parsed.flags.has("--verbose") ? (line: string) => console.error(line) : undefined;
    return withCliRuntime({ app: parsed.options.get("--app"), log }, async (rt) => {
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
      return report.state === "success" ? 0 : 1;
    });
  });
}
