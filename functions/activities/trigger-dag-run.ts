// TriggerDagRunOperator: creates a run of another DAG of this app (ledger row, then its
// orchestration through the durable client). With wait_for_completion the task stays running and
// the orchestrator polls the triggered run's state on durable timers, holding no compute.
import * as df from "durable-functions";
import { getDag } from "../dag-registry";
import { createDagRun } from "../runs/create-dag-run";
import { cancelRunSparkJobs } from "../runs/cancel-spark-jobs";
import { durableClientStarter } from "../runs/orchestration-starter";
import { appRunLedger } from "../runs/app-run-ledger";
import { ConfigError, ConfigReader } from "./config-reader";
import { followUp, OperatorDefinition, PokeResult, skip } from "./operator";

export interface TriggerConfig {
  dagId: string;
  runId?: string;
  conf: Record<string, unknown>;
  logicalDate?: string;
  resetDagRun: boolean;
  waitForCompletion: boolean;
  pokeIntervalSeconds: number;
  allowedStates: string[];
  failedStates: string[];
  skipWhenAlreadyExists: boolean;
}

export const triggerDagRunOperator: OperatorDefinition<TriggerConfig> = {
  name: "trigger_dag_run",
  templateFields: ["trigger_dag_id", "trigger_run_id", "conf", "logical_date"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only([
      "trigger_dag_id", "trigger_run_id", "conf", "logical_date", "reset_dag_run", "wait_for_completion",
      "poke_interval", "allowed_states", "failed_states", "skip_when_already_exists",
    ]);
    const conf = c.raw("conf") ?? {};
    if (typeof conf !== "object" || Array.isArray(conf)) throw new ConfigError(`${where}: 'conf' must be an object.`);
    const dagId = c.string("trigger_dag_id");
    if (!getDag(dagId)) throw new ConfigError(`${where}: DAG '${dagId}' is not registered in this app.`);
    return {
      dagId,
      runId: c.optionalString("trigger_run_id"),
      conf: conf as Record<string, unknown>,
      logicalDate: c.optionalString("logical_date"),
      resetDagRun: c.boolean("reset_dag_run", false),
      waitForCompletion: c.boolean("wait_for_completion", false),
      pokeIntervalSeconds: c.number("poke_interval", 60, 1),
      allowedStates: c.has("allowed_states") ? c.stringList("allowed_states") : ["success"],
      failedStates: c.has("failed_states") ? c.stringList("failed_states") : ["failed"],
      skipWhenAlreadyExists: c.boolean("skip_when_already_exists", false),
    };
  },
  async execute(config, ctx) {
    const dag = getDag(config.dagId)!;
    const ledger = appRunLedger();
    const client = df.getClient(ctx.invocation);
    const deps = { ledger, starter: durableClientStarter(client), now: new Date() };
    const request = { runType: "manual" as const, runId: config.runId, logicalDate: config.logicalDate ?? new Date().toISOString(), conf: config.conf };
    let result = await createDagRun(deps, dag, request);
    if (!result.created) {
      const existing = result.existing;
      if (config.skipWhenAlreadyExists) return skip(`A run of ${config.dagId} already exists (${existing.dag_run_id}).`);
      if (!config.resetDagRun) {
        throw new Error(`A Dag Run already exists for dag id ${config.dagId} with run id ${existing.dag_run_id}.`);
      }
      // reset_dag_run: clear the existing run and start it again under the same run id.
      ctx.log(`Clearing existing run ${existing.dag_run_id} of ${config.dagId}.`);
      await client.terminate(existing.instance_id, "reset_dag_run").catch(() => undefined);
      // Termination is only queued: wait until the old execution has stopped, so it can neither
      // hit the new one nor write into its ledger rows.
      await waitUntilStopped(client, existing.instance_id, ctx.signal);
      await cancelRunSparkJobs(ledger, config.dagId, existing.dag_run_id);
      await client.purgeInstanceHistory(existing.instance_id).catch(() => undefined);
      await ledger.deleteRun(config.dagId, existing.dag_run_id);
      result = await createDagRun(deps, dag, { ...request, runId: existing.dag_run_id, logicalDate: existing.logical_date });
      if (!result.created) throw new Error(`Could not reset run ${existing.dag_run_id} of ${config.dagId}.`);
    }
    const value = { trigger_dag_id: config.dagId, trigger_run_id: result.run.dag_run_id, logical_date: result.run.logical_date };
    ctx.log(`Triggered ${config.dagId} run ${result.run.dag_run_id}.`);
    if (!config.waitForCompletion) return value;
    return followUp(value, {
      operator: dagRunStateSensor.name,
      config: { dag_id: config.dagId, run_id: result.run.dag_run_id, allowed_states: config.allowedStates, failed_states: config.failedStates },
      pokeIntervalSeconds: config.pokeIntervalSeconds,
    });
  },
};

const STOPPED = new Set(["Completed", "Failed", "Terminated", "Canceled"]);

async function waitUntilStopped(client: df.DurableClient, instanceId: string, signal: AbortSignal, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await client.getStatus(instanceId).catch(() => undefined);
    if (!status || STOPPED.has(String(status.runtimeStatus))) return;
    if (Date.now() > deadline || signal.aborted) {
      throw new Error(`The existing run ${instanceId} did not stop within ${timeoutMs / 1000} s; not resetting it.`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The check behind wait_for_completion: the triggered run's state in the ledger. */
export const dagRunStateSensor: OperatorDefinition<{ dagId: string; runId: string; allowed: string[]; failed: string[] }> = {
  name: "dag_run_state_sensor",
  templateFields: [],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["dag_id", "run_id", "allowed_states", "failed_states"]);
    return { dagId: c.string("dag_id"), runId: c.string("run_id"), allowed: c.stringList("allowed_states"), failed: c.stringList("failed_states") };
  },
  async execute(config, ctx): Promise<PokeResult> {
    const run = await appRunLedger().getDagRun(config.dagId, config.runId);
    const state = run?.state ?? "none";
    if (config.failed.includes(state)) throw new Error(`${config.dagId} failed with failed states ${state}`);
    const done = config.allowed.includes(state);
    ctx.log(`Waiting for ${config.dagId} run ${config.runId}: ${state}${done ? " (done)" : ""}.`);
    return { done };
  },
};
