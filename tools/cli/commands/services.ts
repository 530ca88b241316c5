// azflow services up|down|status [azurite|postgres|kafka|spark|spark-cluster ...]
import { SettingsError } from "../../../functions/config";
import { downService, statusService, upService } from "../../services/lifecycle";
import { SERVICES, selectServices } from "../../services/registry";
import { serviceSettings, type ServiceSettings } from "../../services/settings";
import { formatStatus } from "../../services/status-table";
import { CliError } from "../cli-error";
import { runGroup, type CommandGroup } from "../command-group";
import { parseArgs, withHelp, type CommandSpec } from "../parse-args";

const NAMES = { name: "service", variadic: true, description: `any of ${SERVICES.map((s) => s.name).join(", ")}; default all, in start order` };

const UP: CommandSpec = {
  command: "services up",
  summary: "Start the services that are not running, wait until each answers, and leave them running.",
  positionals: [NAMES],
  options: [],
  notes: ["Idempotent: a service already running is left alone. Logs go to .local/logs/<service>.log."],
};
const DOWN: CommandSpec = {
  command: "services down",
  summary: "Stop the services 'up' started (any command that started them), last started first.",
  positionals: [NAMES],
  options: [],
};
const STATUS: CommandSpec = {
  command: "services status",
  summary: "Prove each service with a real round trip and print the memory it uses; exit 1 unless all are healthy.",
  positionals: [NAMES],
  options: [],
};

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

function subcommand(spec: CommandSpec, action: (names: string[]) => Promise<number>) {
  return {
    summary: spec.summary,
    load: async () => ({ run: (args: string[]) => withHelp(() => action(parseArgs(args, spec).positionals)) }),
  };
}

const SERVICES_GROUP: CommandGroup = {
  command: "services",
  summary: "The local services the app and its DAGs use, all on 127.0.0.1 with their data under .local/.",
  subcommands: { up: subcommand(UP, up), down: subcommand(DOWN, down), status: subcommand(STATUS, status) },
};

export function run(args: string[]): Promise<number> {
  return runGroup(SERVICES_GROUP, args);
}
