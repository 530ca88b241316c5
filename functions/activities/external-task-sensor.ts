// ExternalTaskSensor: waits for another DAG's run (or some of its tasks) at this run's logical
// date minus execution_delta to reach an allowed state, reading the run ledger.
import { parseDuration } from "../../orchestrations/runtime/time/duration";
import { appRunLedger } from "../runs/app-run-ledger";
import { ConfigReader } from "./config-reader";
import { OperatorDefinition, PokeResult, skip } from "./operator";

export interface ExternalTaskConfig {
  dagId: string;
  taskIds: string[];
  allowed: string[];
  failed: string[];
  skipped: string[];
  deltaSeconds: number;
}

export const externalTaskSensor: OperatorDefinition<ExternalTaskConfig> = {
  name: "external_task_sensor",
  templateFields: ["external_dag_id", "external_task_ids"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only([
      "external_dag_id", "external_task_id", "external_task_ids", "allowed_states", "failed_states", "skipped_states", "execution_delta",
    ]);
    const delta = c.raw("execution_delta");
    return {
      dagId: c.string("external_dag_id"),
      taskIds: [...c.stringList("external_task_id"), ...c.stringList("external_task_ids")],
      allowed: c.has("allowed_states") ? c.stringList("allowed_states") : ["success"],
      failed: c.stringList("failed_states"),
      skipped: c.stringList("skipped_states"),
      deltaSeconds: delta === undefined || delta === null ? 0 : parseDuration(delta as number | string),
    };
  },
  async execute(config, ctx) {
    const ledger = appRunLedger();
    const target = new Date(Date.parse(ctx.logicalDate) - config.deltaSeconds * 1000).toISOString();
    const run = await ledger.findDagRunByLogicalDate(config.dagId, target);
    if (!run) {
      ctx.log(`Poke: no run of ${config.dagId} at ${target} yet.`);
      return { done: false } satisfies PokeResult;
    }
    const states = config.taskIds.length
      ? (await ledger.listTaskInstances(config.dagId, run.dag_run_id)).filter((t) => config.taskIds.includes(t.task_id)).map((t) => String(t.state))
      : [run.state];
    if (config.taskIds.length && states.length < config.taskIds.length) return { done: false } satisfies PokeResult;
    if (states.some((s) => config.failed.includes(s))) throw new Error(`The external ${config.taskIds.length ? "task(s)" : "DAG"} ${config.dagId} failed (${states.join(", ")}).`);
    if (states.some((s) => config.skipped.includes(s))) return skip(`The external ${config.dagId} was skipped.`);
    const done = states.every((s) => config.allowed.includes(s));
    ctx.log(`Poke: ${config.dagId} ${run.dag_run_id} is ${states.join(", ")}${done ? " (done)" : ""}.`);
    return { done } satisfies PokeResult;
  },
};
