// The local runtime as the CLI commands use it: started for one command, with the app's DAG
// registry loaded (the registry fills as the app's entry registers its DAGs).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { CliError } from "../cli/cli-error";
import { startLocalDagRuntime, type LocalDagRuntime } from "./local-dag-runtime";

export interface CliRuntime extends LocalDagRuntime {
  requireDag(dagId: string): CompiledDag;
  listDags(): CompiledDag[];
}

export async function openCliRuntime(options: { app?: string; log?: (line: string) => void } = {}): Promise<CliRuntime> {
  const rt = await startLocalDagRuntime({ mode: "test", entry: options.app, log: options.log });
  // Every run goes through the ledger: without its storage nothing can run, so say so in one line.
  try {
    await rt.ledger.findDagRunByLogicalDate("azflow_preflight", "1970-01-01T00:00:00Z");
  } catch (err) {
    await rt.close();
    const cause = err instanceof Error ? err.message.split("\n")[0].trim() : String(err);
    throw new CliError(
      `the run ledger's storage (AzureWebJobsStorage) is not reachable (${cause}); start the local services with 'npx azflow services up azurite postgres', or fix AzureWebJobsStorage in local.settings.json.`,
    );
  }
  // Imported after the runtime loaded the app: the registry is the one the app filled.
  const registry = await import("../../functions/dag-registry");
  return {
    ...rt,
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

/** Runs `body` with a runtime and always closes it, so the process can exit. */
export async function withCliRuntime<T>(options: { app?: string; log?: (line: string) => void }, body: (rt: CliRuntime) => Promise<T>): Promise<T> {
  const rt = await openCliRuntime(options);
  try {
    return await body(rt);
  } finally {
    await rt.close();
    // Idle pool connections would keep the process alive for the pool's idle timeout.
    await (await import("../../functions/hooks/postgres")).closePostgresPools();
  }
}
