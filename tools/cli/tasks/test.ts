// `azflow tasks test <dag_id> <task_id> [logical_date]`: Airflow's `tasks test`. Runs one task
// ignoring its dependencies and records nothing in the ledger; prints its log and its XCom.
// Exit 1 when the task fails.
import { parseArgs, withHelp } from "../parse-args";
import { CliError } from "../cli-error";
import { dateOption } from "../dags/dates";
import { withCliRuntime } from "../../dagrun/cli-runtime";
import { awaitTriggeredRuns, knownInstances } from "../../dagrun/run-dag";
import { invokeTask, prepareTask } from "../../dagrun/single-task";
import { runSummary } from "../../dagrun/run-table";

const USAGE = `usage: azflow tasks test <dag_id> <task_id> [logical_date] [--map-index N] [--app PATH]
  logical_date   ISO 8601; default now. Upstream XComs come from the ledger's run on that date, if any.
  --map-index N  which instance of a mapped task to run (default 0)`;

/** Operators the DAG orchestrator runs itself: there is no activity to call. */
const ORCHESTRATOR_RUN: Record<string, string> = {
  empty: "EmptyOperator: nothing to run; it succeeds.",
  time_delta_sensor: "TimeDeltaSensor: a durable timer in the orchestration, not an activity; nothing to run here.",
};

function mapIndexOption(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n)) throw new CliError(`--map-index must be an integer, got '${text}'.\n${USAGE}`, 2);
  return n;
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, { options: ["--map-index", "--app"], positionals: { min: 2, max: 3 } }, USAGE);
    const [dagId, taskId, dateText] = parsed.positionals;
    const logicalDate = dateOption(dateText ?? new Date().toISOString(), "logical_date", USAGE);
    const mapIndex = mapIndexOption(parsed.options.get("--map-index"));
    return withCliRuntime({ app: parsed.options.get("--app") }, async (rt) => {
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
        const result = await invokeTask(rt, invocation, (line) => console.log(line));
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
  });
}
