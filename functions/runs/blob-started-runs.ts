// Event-driven DAGs (startOnBlob): a blob landing under a prefix one of the DAG's blob sensors
// watches starts the day's run, if the day has none yet. The day's run covers the UTC day of the
// event, [midnight, next midnight), the interval a @daily DAG's scheduled run for that day has, so
// the schedule timer later finds it and creates no second run for the day. Its run id is Airflow's
// for data-triggered runs, `dataset_triggered__<logical date>`. The run's sensors look for blobs
// already present on their first poke, so the run starts loading at once.
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { airflowIso } from "../../orchestrations/runtime/time/time";
import type { DagStateStore } from "../ledger/dag-state";
import type { RunLedger } from "../ledger/run-ledger";
import { createDagRun } from "./create-dag-run";
import type { OrchestrationStarter } from "./orchestration-starter";

const DAY_MS = 86_400_000;

/** The literal (untemplated) blob sensor prefixes of a DAG, per container. */
export function watchedPrefixes(dag: CompiledDag, container: string): string[] {
  const out: string[] = [];
  for (const task of Object.values(dag.tasks)) {
    if (task.operator !== "blob_prefix_sensor" || !task.config || typeof task.config !== "object" || Array.isArray(task.config)) continue;
    const c = task.config as Record<string, unknown>;
    if (c.container === container && typeof c.prefix === "string" && !c.prefix.includes("{{")) out.push(c.prefix);
  }
  return out;
}

export type BlobStartOutcome =
  | { dagId: string; outcome: "created"; runId: string; instanceId: string }
  | { dagId: string; outcome: "exists"; runId: string; state: string }
  | { dagId: string; outcome: "paused" | "not_watched" };

export interface BlobStartDeps {
  ledger: RunLedger;
  starter: OrchestrationStarter;
  dagState: Pick<DagStateStore, "isPaused">;
  now: Date;
}

/** Starts the day's run of `dag` for a blob at container/blobName, unless the day has one already. */
export async function startDayRunForBlob(deps: BlobStartDeps, dag: CompiledDag, container: string, blobName: string): Promise<BlobStartOutcome> {
  if (!dag.startOnBlob || !watchedPrefixes(dag, container).some((p) => blobName.startsWith(p))) return { dagId: dag.dagId, outcome: "not_watched" };
  if (await deps.dagState.isPaused(dag.dagId)) return { dagId: dag.dagId, outcome: "paused" };
  const day = Math.floor(deps.now.getTime() / DAY_MS) * DAY_MS;
  const result = await createDagRun({ ledger: deps.ledger, starter: deps.starter, now: deps.now }, dag, {
    runType: "dataset_triggered",
    logicalDate: airflowIso(day),
    dataInterval: { start: airflowIso(day), end: airflowIso(day + DAY_MS) },
  });
  if (result.created) return { dagId: dag.dagId, outcome: "created", runId: result.run.dag_run_id, instanceId: result.run.instance_id };
  return { dagId: dag.dagId, outcome: "exists", runId: result.existing.dag_run_id, state: result.existing.state };
}
