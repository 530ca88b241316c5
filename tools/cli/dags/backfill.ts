// `azflow dags backfill <dag_id> -s START -e END`: Airflow's backfill on the local runtime. A run
// per schedule point in [START, END] (catchup and pause ignored), run_type backfill, at most
// max_active_runs at a time. An existing run for a date is kept unless --reset-dagruns (cleared
// and run again) or --rerun-failed-tasks (a failed run's failed tasks run again, the rest reused).
import { parseArgs, parseConfOption, usageError, withHelp, type CommandSpec } from "../parse-args";
import { APP, CONF, NO_START, QUIET, VERBOSE, taskLinePrinter, verboseLog } from "../common-options";
import { dateOption } from "./dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { planBackfill, runBackfill, type BackfillMode } from "../../dagrun/backfill";
import { runsTable } from "../../dagrun/run-table";
import { openTaskLogStream } from "../../dagrun/task-log-stream";

const SPEC: CommandSpec = {
  command: "dags backfill",
  summary: "A run per schedule point in [START, END] on the local runtime (catchup and pause ignored), at most max_active_runs at a time, with the task log lines as they are written and a table of runs. Exit 1 when a run fails.",
  positionals: [{ name: "dag_id", description: "the DAG to backfill" }],
  options: [
    { name: "--start-date", alias: "-s", value: "START", description: "first logical date (ISO 8601), inclusive (required)" },
    { name: "--end-date", alias: "-e", value: "END", description: "last logical date, inclusive (required)" },
    { name: "--reset-dagruns", description: "clear existing runs in the range and run them again" },
    { name: "--rerun-failed-tasks", description: "for existing failed runs, run the failed tasks again and reuse the rest" },
    { name: "--dry-run", description: "print what would run, run nothing" },
    CONF, APP, QUIET, VERBOSE, NO_START,
  ],
};

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const [dagId] = parsed.positionals;
    const startText = parsed.options.get("--start-date");
    const endText = parsed.options.get("--end-date");
    if (!startText || !endText) throw usageError(SPEC, "-s and -e are required");
    const start = dateOption(startText, "--start-date", SPEC);
    const end = dateOption(endText, "--end-date", SPEC);
    if (Date.parse(end) < Date.parse(start)) throw usageError(SPEC, `--end-date ${end} is before --start-date ${start}`);
    if (parsed.flags.has("--reset-dagruns") && parsed.flags.has("--rerun-failed-tasks")) {
      throw usageError(SPEC, "--reset-dagruns and --rerun-failed-tasks exclude each other");
    }
    const mode: BackfillMode = parsed.flags.has("--reset-dagruns") ? "reset" : parsed.flags.has("--rerun-failed-tasks") ? "rerun_failed" : "keep";
    const conf = parseConfOption(parsed.options.get(CONF.name), SPEC);
    const dryRun = parsed.flags.has("--dry-run");
    // Runs of one DAG go side by side: each line names its run.
    const stream = openTaskLogStream({ print: taskLinePrinter(parsed), dagId, showRunId: true });
    try {
      return await withCliRuntime({
        app: parsed.options.get(APP.name), log: verboseLog(parsed), startServices: !parsed.flags.has(NO_START.name),
        // A dry run reads the ledger only.
        uses: (dags) => [{ dag: dags.requireDag(dagId), ...(dryRun ? { taskIds: [] } : {}) }],
      }, async (rt) => {
        const dag = rt.requireDag(dagId);
        const plan = await planBackfill(rt, dag, start, end, mode);
        console.log(`Backfill ${dagId} from ${start} to ${end}: ${plan.length} schedule point(s), at most ${dag.maxActiveRuns} at a time.`);
        if (dryRun) {
          for (const step of plan) console.log(`  ${step.logicalDate}  ${step.action}${step.existing ? ` (existing ${step.existing.dag_run_id}: ${step.existing.state})` : ""}`);
          return 0;
        }
        const outcome = await runBackfill(rt, dag, plan, conf, (line) => console.log(line));
        if (outcome.reports.length) console.log(`\n${runsTable(outcome.reports)}`);
        if (!parsed.flags.has(QUIET.name)) for (const line of stream.failedTails(outcome.reports)) console.log(line);
        console.log(`\nBackfill ${dagId}: ${outcome.succeeded} succeeded, ${outcome.failed} failed, ${outcome.kept} kept as they were.`);
        return outcome.failed > 0 ? 1 : 0;
      });
    } finally {
      stream.close();
    }
  });
}
