import type { OrchestrationContext, OrchestrationHandler } from "durable-functions";
import type { CompiledDag } from "../model/compiled-dag";
import { airflowIso } from "../time/time";
import { DagRun } from "./dag-run";
import type { DagRunInput } from "./run-input";
import { LEDGER_WRITE_ACTIVITY, ledgerVersion, type LedgerWrite } from "./task-invocation";

// The generic DAG orchestrator: one Durable orchestration per DAG run, registered under the DAG id.

export function dagOrchestrator(dag: CompiledDag): OrchestrationHandler {
  return function* (context: OrchestrationContext) {
    const input = context.df.getInput() as DagRunInput;
    if (!input || input.dagId !== dag.dagId) {
      throw new Error(`Orchestration '${dag.dagId}' was started with input for '${input?.dagId ?? "nothing"}'.`);
    }
    const run = new DagRun(dag, input, context);
    try {
      return yield* run.run();
    } catch (err) {
      // A bug or a broken input: the ledger must not show the run running forever (it would
      // also hold a max_active_runs slot). Best effort, then fail the orchestration.
      const at = context.df.currentUtcDateTime.getTime();
      const write: LedgerWrite = {
        dagId: dag.dagId, runId: input.runId, tasks: [],
        run: { state: "failed", at: airflowIso(at), instanceId: context.df.instanceId, version: ledgerVersion(at, 999_999_999) },
      };
      yield context.df.callActivity(LEDGER_WRITE_ACTIVITY, write);
      throw err;
    }
  };
}
