// The local runtime as the CLI commands use it: started for one command, with the app's DAG
// registry loaded (the registry fills as the app's entry registers its DAGs), after the local
// services the command needs were started (unless --no-start).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { CliError } from "../cli/cli-error";
import { loadLocalApp } from "./local-app";
import { startLocalDagRuntime, type LocalDagRuntime } from "./local-dag-runtime";
import { ledgerIsLocal, startCommandServices, type DagUse } from "./command-services";

export interface DagLookup {
  requireDag(dagId: string): CompiledDag;
  listDags(): CompiledDag[];
}

export interface CliRuntime extends LocalDagRuntime, DagLookup {}

export interface CliRuntimeOptions {
  app?: string;
  log?: (line: string) => void;
  /** false (--no-start): start no service; a missing one fails with the one-line error below. */
  startServices?: boolean;
  /** The DAGs (or tasks) the command runs: the services their connections point at are started too. */
  uses?: (dags: DagLookup) => DagUse[];
}

async function dagLookup(): Promise<DagLookup> {
  // Imported after the app loaded: the registry is the one the app filled.
  const registry = await import("../../functions/dag-registry");
  return {
    listDags: registry.listDags,
    requireDag(dagId) {
      const dag = registry.getDag(dagId);
      if (!dag) {
        const known = registry.listDags().map((d) => d.dagId).join(", ") || "none";
        throw new CliError(`DAG '${dagId}' is not registered in this app (known: ${known}).`, 2);
      }
      return dag;
    },
  };
}

export async function openCliRuntime(options: CliRuntimeOptions = {}): Promise<CliRuntime> {
  loadLocalApp(options.app);
  const dags = await dagLookup();
  // An unknown DAG is a usage error before anything starts.
  const uses = options.uses?.(dags) ?? [];
  if (options.startServices !== false) await startCommandServices(uses, dags);
  const rt = await startLocalDagRuntime({ mode: "test", entry: options.app, log: options.log });
  // Every run goes through the ledger: without its storage nothing can run, so say so in one line.
  try {
    await rt.ledger.findDagRunByLogicalDate("azflow_preflight", "1970-01-01T00:00:00Z");
  } catch (err) {
    await rt.close();
    const cause = err instanceof Error ? err.message.split("\n")[0].trim() : String(err);
    const fix = ledgerIsLocal()
      ? "start the local services with 'npx azflow services up azurite postgres', or fix AzureWebJobsStorage in local.settings.json."
      : "check AzureWebJobsStorage (local.settings.json or the environment): it names a storage account this machine cannot reach.";
    throw new CliError(`the run ledger's storage (AzureWebJobsStorage) is not reachable (${cause}); ${fix}`);
  }
  return { ...rt, ...dags };
}

/** Runs `body` with a runtime and always closes it, so the process can exit. */
export async function withCliRuntime<T>(options: CliRuntimeOptions, body: (rt: CliRuntime) => Promise<T>): Promise<T> {
  const rt = await openCliRuntime(options);
  try {
    return await body(rt);
  } finally {
    await rt.close();
    // Idle pool connections would keep the process alive for the pool's idle timeout.
    await (await import("../../functions/hooks/postgres")).closePostgresPools();
  }
}
