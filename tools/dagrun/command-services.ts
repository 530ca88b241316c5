// The services a CLI command needs, started before it runs (tools/services/auto-start.ts): the
// run ledger's storage, and whatever the connections of the DAGs it runs point at. The start line
// goes to stderr, so stdout stays the command's own output (`dags list -o json` stays JSON).
import type { CompiledDag } from "../../orchestrations/runtime/model/compiled-dag";
import { SettingsError } from "../../functions/config";
import { CliError } from "../cli/cli-error";
import { startNeededServices } from "../services/auto-start";
import { serviceSettings, type ServiceSettings } from "../services/settings";
import { dagNeeds, ledgerNeeds } from "./service-needs";

/** A DAG a command runs, or only some of its tasks (`tasks test`). */
export interface DagUse {
  dag: CompiledDag;
  taskIds?: string[];
}

function settings(): ServiceSettings {
  try {
    return serviceSettings();
  } catch (err) {
    if (err instanceof SettingsError) throw new CliError(err.message);
    throw err;
  }
}

/** Whether the run ledger's storage is the local Azurite (else a real account the user set). */
export function ledgerIsLocal(): boolean {
  return ledgerNeeds(settings()).length > 0;
}

export async function startCommandServices(uses: readonly DagUse[], dags: { listDags(): CompiledDag[] }): Promise<void> {
  const s = settings();
  const lookup = (dagId: string) => dags.listDags().find((d) => d.dagId === dagId);
  await startNeededServices([...ledgerNeeds(s), ...dagNeeds(uses, lookup, s)], s, (line) => console.error(line));
}
