// The services in start order: storage first (the app's own state), Spark last (it only prepares).
import { CliError } from "../cli/cli-error";
import { azurite } from "./azurite";
import { kafka } from "./kafka";
import { postgres } from "./postgres";
import { SERVICE_NAMES, type LocalService, type ServiceName } from "./service";
import { spark } from "./spark";
import { sparkCluster } from "./spark-cluster";

export const SERVICES: readonly LocalService[] = [azurite, postgres, kafka, spark, sparkCluster];

export function isServiceName(name: string): name is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(name);
}

/** The services named on the command line, in start order; all of them when none are named. */
export function selectServices(names: string[]): LocalService[] {
  const unknown = names.filter((n) => !isServiceName(n));
  if (unknown.length > 0) {
    throw new CliError(`unknown service '${unknown[0]}'; choose from ${SERVICE_NAMES.join(", ")}`, 2);
  }
  return names.length === 0 ? SERVICES.filter((s) => !s.onDemand) : SERVICES.filter((s) => names.includes(s.name));
}
