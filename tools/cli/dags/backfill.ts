// `azflow dags backfill <dag_id> -s START -e END`: Airflow's backfill on the local runtime. A run
// per schedule point in [START, END] (catchup and pause ignored), run_type backfill, at most
// max_active_runs at a time. An existing run for a date is kept unless --reset-dagruns (cleared
// and run again) or --rerun-failed-tasks (a failed run's failed tasks run again, the rest reused).
import { parseArgs, parseConfOption, withHelp } from "../parse-args";
import { CliError } from "../cli-error";
import { dateOption } from "./dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { planBackfill, runBackfill, type BackfillMode } from "../../dagrun/backfill";
import { runsTable } from "../../dagrun/run-table";

const USAGE = `usage: azflow dags backfill <dag_id> -s START -e END [--reset-dagruns] [--rerun-failed-tasks] [--dry-run] [--conf JSON] [--app PATH]
  -s, --start-date   first logical date (ISO 8601), inclusive
  -e, --end-date     last logical date, inclusive
  --reset-dagruns    clear existing runs in the range and run them again
  --rerun-failed-tasks  for existing failed runs, run the failed tasks again and reuse the rest
  --dry-run          print what would run, run nothing`;

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, {
      options: ["--start-date", "--end-date", "--conf", "--app"],
      flags: ["--reset-dagruns", "--rerun-failed-tasks", "--dry-run", "--verbose"],
      aliases: { "-s": "--start-date", "-e": "--end-date", "-c": "--conf", "-v": "--verbose" },
      positionals: { min: 1, max: 1 },
    }, USAGE);
    const [dagId] = parsed.positionals;
    const startText = parsed.options.get("--start-date");
    const endText = parsed.options.get("--end-date");
    if (!startText || !endText) throw new CliError(`-s and -e are required.\n${USAGE}`, 2);
    const start = dateOption(startText, "--start-date", USAGE);
    const end = dateOption(endText, "--end-date", USAGE);
    if (Date.parse(end) < Date.parse(start)) throw new CliError(`--end-date ${end} is before --start-date ${start}.`, 2);
    if (parsed.flags.has("--reset-dagruns") && parsed.flags.has("--rerun-failed-tasks")) {
      throw new CliError(`--reset-dagruns and --rerun-failed-tasks exclude each other.\n${USAGE}`, 2);
    }
    const mode: BackfillMode = parsed.flags.has("--reset-dagruns") ? "reset" : parsed.flags.has("--rerun-failed-tasks") ? "rerun_failed" : "keep";
    const conf = parseConfOption(parsed.options.get("--conf"), USAGE);
    const log = parsed.flags.has("--verbose") ? (line: string) => console.error(line) : undefined;
    return withCliRuntime({ app: parsed.options.get("--app"), log }, async (rt) => {
      const dag = rt.requireDag(dagId);
      const plan = await planBackfill(rt, dag, start, end, mode);
      console.log(`Backfill ${dagId} from ${start} to ${end}: ${plan.length} schedule point(s), at most ${dag.maxActiveRuns} at a time.`);
      if (parsed.flags.has("--dry-run")) {
        for (const step of plan) console.log(`  ${step.logicalDate}  ${step.action}${step.existing ? ` (existing ${step.existing.dag_run_id}: ${step.existing.state})` : ""}`);
        return 0;
      }
      const outcome = await runBackfill(rt, dag, plan, conf, (line) => console.log(line));
      if (outcome.reports.length) console.log(`\n${runsTable(outcome.reports)}`);
      console.log(`\nBackfill ${dagId}: ${outcome.succeeded} succeeded, ${outcome.failed} failed, ${outcome.kept} kept as they were.`);
      return outcome.failed > 0 ? 1 : 0;
    });
  });
}
