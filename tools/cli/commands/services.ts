// azflow services up|down|status [azurite|postgres|kafka|spark|spark-cluster ...]
import { SettingsError } from "../../../functions/config";
import { downService, statusService, upService } from "../../services/lifecycle";
import { SERVICES, isServiceName, selectServices } from "../../services/registry";
import { serviceSettings, type ServiceSettings } from "../../services/settings";
import { formatStatus } from "../../services/status-table";
import { CliError } from "../cli-error";

const USAGE = "usage: azflow services up|down|status [azurite|postgres|kafka|spark|spark-cluster ...]";

function settingsOrCliError(): ServiceSettings {
  try {
    return serviceSettings();
  } catch (err) {
    if (err instanceof SettingsError) throw new CliError(err.message);
    throw err;
  }
}

function line(service: string, state: string, rest: string): string {
  return `${service.padEnd(9)} ${state.padEnd(16)} ${rest}`;
}

async function up(names: string[]): Promise<number> {
  const s = settingsOrCliError();
  let failed = 0;
  for (const svc of selectServices(names)) {
    try {
      const r = await upService(svc, s);
      const pid = r.pid ? `  pid ${r.pid}` : "";
      console.log(line(r.service, r.state, `${r.endpoint}  (${r.seconds.toFixed(1)} s)${pid}`));
    } catch (err) {
      // One service failing (say, no Java for Kafka) should not keep the others down.
      if (!(err instanceof CliError)) throw err;
      console.error(`azflow: ${err.message}`);
      failed++;
    }
  }
  return failed === 0 ? 0 : 1;
}

async function down(names: string[]): Promise<number> {
  const s = settingsOrCliError();
  // Reverse start order: consumers of storage go first. A bare `down` stops the on-demand ones too.
  for (const svc of [...(names.length ? selectServices(names) : SERVICES)].reverse()) {
    const r = await downService(svc, s);
    console.log(line(r.service, r.state, `(${r.seconds.toFixed(1)} s)`));
  }
  return 0;
}

async function status(names: string[]): Promise<number> {
  const s = settingsOrCliError();
  const results = [];
  // One at a time: round-trip times stay honest on a small machine.
  for (const svc of selectServices(names)) results.push(await statusService(svc, s));
  for (const row of formatStatus(results)) console.log(row);
  return results.every((r) => r.state === "healthy") ? 0 : 1;
}

export async function run(args: string[]): Promise<number> {
  const [action, ...names] = args;
  const unknown = names.find((n) => !isServiceName(n));
  if (unknown !== undefined) {
    console.error(`azflow: unknown service '${unknown}'; choose from ${SERVICES.map((s) => s.name).join(", ")}`);
    return 2;
  }
  switch (action) {
    case "up":
      return up(names);
    case "down":
      return down(names);
    case "status":
      return status(names);
    default:
      console.error(`${USAGE}\n  services: ${SERVICES.map((s) => s.name).join(", ")}`);
      return 2;
  }
}
