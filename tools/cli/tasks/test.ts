// `azflow tasks test <dag_id> <task_id> [logical_date]`: Airflow's `tasks test`. Runs one task
// ignoring its dependencies and records nothing in the ledger; prints its log and its XCom.
// Exit 1 when the task fails.
import { APP, NO_START, QUIET, VERBOSE, taskLinePrinter } from "../common-options";
import { parseArgs, usageError, withHelp, type CommandSpec } from "../parse-args";
import { dateOption } from "../dags/dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { awaitTriggeredRuns, knownInstances } from "../../dagrun/run-dag";
import { invokeTask, prepareTask } from "../../dagrun/single-task";
import { runSummary } from "../../dagrun/run-table";
import { openTaskLogStream } from "../../dagrun/task-log-stream";

const SPEC: CommandSpec = {
  command: "tasks test",
  summary: "Run one task in this process, ignoring its dependencies and recording nothing (Airflow's `tasks test`): its log lines as they are written, then its outcome and XCom. Exit 1 when it fails.",
  positionals: [
    { name: "dag_id", description: "the DAG" },
    { name: "task_id", description: "the task to run" },
    { name: "logical_date", optional: true, description: "ISO 8601; default now. Upstream XComs come from the ledger's run on that date, if any." },
  ],
  options: [
    { name: "--map-index", value: "N", description: "which instance of a mapped task to run (default 0)" },
    APP, QUIET,
    { ...VERBOSE, description: "also print the activity's own log lines besides its task log" },
    NO_START,
  ],
};

/** Operators the DAG orchestrator runs itself: there is no activity to call. */
const ORCHESTRATOR_RUN: Record<string, string> = {
  empty: "EmptyOperator: nothing to run; it succeeds.",
  time_delta_sensor: "TimeDeltaSensor: a durable timer in the orchestration, not an activity; nothing to run here.",
};

function mapIndexOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n)) throw usageError(SPEC, `--map-index must be an integer, got '${text}'`);
  return n;
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const [dagId, taskId, dateText] = parsed.positionals;
    const logicalDate = dateOption(dateText ?? new Date().toISOString(), "logical_date", SPEC);
    const mapIndex = mapIndexOption(parsed.options.get("--map-index"));
    const stream = openTaskLogStream({ print: taskLinePrinter(parsed), dagId });
    // The activity's own lines (not its task log, which the stream shows) only under --verbose.
    const activityLog = parsed.flags.has(VERBOSE.name) ? (line: string) => console.error(line) : () => undefined;
    try {
      return await withCliRuntime({
        app: parsed.options.get(APP.name), startServices: !parsed.flags.has(NO_START.name),
        uses: (dags) => [{ dag: dags.requireDag(dagId), taskIds: [taskId] }],
      }, async (rt) => {
        const dag = rt.requireDag(dagId);
        const { task, invocation, existingRun } = await prepareTask(rt, dag, taskId, logicalDate, mapIndex);
        const label = `${dagId}.${taskId}${invocation.mapIndex >= 0 ? `[${invocation.mapIndex}]` : ""}`;
        if (ORCHESTRATOR_RUN[task.operator]) {
          console.log(`${label}: ${ORCHESTRATOR_RUN[task.operator]}`);
          return 0;
        }
        console.log(`Testing ${label} (${task.operator}${invocation.mode === "poke" ? ", one poke" : ""}) for ${invocation.run.logicalDate}` +
          `${existingRun ? `, upstream XComs from run ${existingRun.dag_run_id}` : ", no run on that date: upstream XComs are null"}; state is not recorded.`);
        const before = knownInstances(rt);
        const started = Date.now();
        try {
          const result = await invokeTask(rt, invocation, activityLog);
          const seconds = ((Date.now() - started) / 1000).toFixed(2);
          if (result.outcome === "skipped") console.log(`${label}: skipped (${result.reason}) in ${seconds} s`);
          else if (result.outcome === "interrupted") console.log(`${label}: interrupted (${result.reason}) in ${seconds} s`);
          else if (result.outcome === "poke") console.log(`${label}: poke ${result.done ? "done" : "not done yet"} in ${seconds} s; XCom: ${JSON.stringify(result.xcom)}`);
          else {
            console.log(`${label}: success in ${seconds} s`);
            console.log(`XCom (return_value): ${JSON.stringify(result.xcom)}`);
            if (result.followUp) console.log(`then the orchestrator would poll ${result.followUp.operator} every ${result.followUp.pokeIntervalSeconds} s`);
          }
        } catch (err) {
          console.log(`${label}: failed: ${err instanceof Error ? err.message : String(err)}`);
          return 1;
        }
        // A TriggerDagRun task started a run in this process: let it finish before the runtime closes.
        for (const child of await awaitTriggeredRuns(rt, before)) console.log(`\nTriggered run ${child.dagId} ${child.runId}:\n${runSummary(child)}`);
        return 0;
      });
    } finally {
      stream.close();
    }
  });
}
