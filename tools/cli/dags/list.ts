// `azflow dags list`: the DAGs the app registers, with schedule, next run (from the timetable and
// the ledger's runs, as the REST API computes next_dagrun), tags and the paused flag.
import type { CompiledDag } from "../../../orchestrations/runtime/model/compiled-dag";
import { describeSchedule } from "../../../orchestrations/runtime/time/schedule";
import { airflowIso } from "../../../orchestrations/runtime/time/time";
import type { DagRunRecord } from "../../../functions/ledger/records";
import { APP, NO_START } from "../common-options";
import { parseArgs, usageError, withHelp, type CommandSpec } from "../parse-args";
import { withCliRuntime, type CliRuntime } from "../../dagrun/cli-runtime";
import { formatTable } from "../../dagrun/run-table";

const SPEC: CommandSpec = {
  command: "dags list",
  summary: "The app's DAGs: schedule, next run (from the timetable and the ledger's runs), tags and the paused flag.",
  positionals: [],
  options: [{ name: "--output", alias: "-o", value: "FORMAT", description: "table (default) or json" }, APP, NO_START],
};
// The ledger only refines next_run; a listing should not hang on a storage emulator that is down.
const LEDGER_TIMEOUT_MS = 3000;

interface DagListing {
  dag_id: string;
  schedule: string | null;
  next_run: string | null;
  tags: string[];
  paused: boolean;
}

async function runsOf(rt: CliRuntime, dag: CompiledDag): Promise<DagRunRecord[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${LEDGER_TIMEOUT_MS} ms`)), LEDGER_TIMEOUT_MS);
  });
  try {
    return await Promise.race([rt.ledger.listDagRuns(dag.dagId), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function listings(rt: CliRuntime): Promise<{ rows: DagListing[]; ledgerError: string | null }> {
  const { appConfig } = await import("../../../functions/config");
  const { nextDagRun } = await import("../../../functions/runs/schedule-due-runs");
  const paused = new Set(appConfig().pausedDags);
  let ledgerError: string | null = null;
  const rows: DagListing[] = [];
  for (const dag of rt.listDags()) {
    let runs: DagRunRecord[] = [];
    if (ledgerError === null) runs = await runsOf(rt, dag).catch((err: Error) => ((ledgerError = err.message), []));
    const next = nextDagRun(dag, runs, new Date());
    rows.push({ dag_id: dag.dagId, schedule: describeSchedule(dag.schedule), next_run: next ? airflowIso(next.logicalDate) : null, tags: [...dag.tags], paused: paused.has(dag.dagId) });
  }
  if (ledgerError === null) {
    // Paused through the REST API (stored beside the ledger), else AZFLOW_PAUSED_DAGS.
    const { appDagStateStore } = await import("../../../functions/ledger/dag-state");
    const stored = await appDagStateStore().pausedStates(rows.map((r) => r.dag_id)).catch(() => undefined);
    if (stored) for (const row of rows) row.paused = stored.get(row.dag_id) ?? row.paused;
  }
  return { rows, ledgerError };
}

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const output = parsed.options.get("--output") ?? "table";
    if (output !== "table" && output !== "json") throw usageError(SPEC, `--output must be table or json, got '${output}'`);
    return withCliRuntime({ app: parsed.options.get(APP.name), startServices: !parsed.flags.has(NO_START.name) }, async (rt) => {
      const { rows, ledgerError } = await listings(rt);
      if (output === "json") console.log(JSON.stringify(rows, null, 2));
      else {
        console.log(formatTable(["dag_id", "schedule", "next run", "tags", "paused"],
          rows.map((r) => [r.dag_id, r.schedule ?? "None", r.next_run ?? "", r.tags.join(", "), String(r.paused)])));
      }
      if (ledgerError) console.error(`note: next run ignores existing runs: the run ledger could not be read (${ledgerError}).`);
      return 0;
    });
  });
}
