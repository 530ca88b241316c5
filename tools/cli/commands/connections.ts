// `azflow connections import <file> [--overwrite]` and `azflow connections export <file>`, reading
// and writing the JSON that `airflow connections export` produces.
import * as fs from "node:fs";
import * as path from "node:path";
import {
  Connection,
  ConnectionError,
  connectionSettingName,
  listConnectionIds,
  parseConnectionJson,
  parseConnectionSetting,
  toExportEntry,
} from "../../../functions/hooks/connection";
import { CliError } from "../cli-error";
import { runGroup, type CommandGroup } from "../command-group";
import { readLocalSettings, writeLocalSettings } from "../local-settings";
import { parseArgs, withHelp, type CommandSpec, type OptionSpec } from "../parse-args";

const SETTINGS: OptionSpec = { name: "--settings", value: "FILE", description: "the settings file to write or read (default local.settings.json)" };

const IMPORT: CommandSpec = {
  command: "connections import",
  summary: "Add the connections of a file `airflow connections export` wrote to local.settings.json (owner-only).",
  positionals: [{ name: "file", description: "the JSON file: connection ids mapped to connections (or URIs)" }],
  options: [{ name: "--overwrite", description: "replace connections that exist already (default: keep them, and say so)" }, SETTINGS],
};

const EXPORT: CommandSpec = {
  command: "connections export",
  summary: "Write every AIRFLOW_CONN_* connection (settings file, then environment) in Airflow's JSON export format.",
  positionals: [{ name: "file", description: "the JSON file to write (owner-only)" }],
  options: [SETTINGS],
};

function readExportFile(file: string): Connection[] {
  if (!fs.existsSync(file)) throw new CliError(`${file} does not exist.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new CliError(`${file} must map connection ids to connections, as \`airflow connections export\` writes.`);
  }
  return Object.entries(parsed as Record<string, unknown>).map(([id, value]) => {
    if (!/^[A-Za-z0-9_.-]{1,250}$/.test(id)) throw new CliError(`${file}: '${id}' is not a valid connection id.`);
    try {
      return typeof value === "string" ? parseConnectionSetting(id, value) : parseConnectionJson(id, value);
    } catch (err) {
      if (err instanceof ConnectionError) throw new CliError(`${file}: ${err.message}`);
      throw err;
    }
  });
}

/** The JSON form of a setting value (not a URI), so descriptions and extras survive. */
function settingValue(conn: Connection): string {
  const entry = toExportEntry(conn);
  return JSON.stringify(Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== null)));
}

export async function importConnections(file: string, settingsFile: string, overwrite: boolean): Promise<string[]> {
  const connections = readExportFile(file);
  const settings = readLocalSettings(settingsFile);
  const lines: string[] = [];
  for (const conn of connections) {
    const name = connectionSettingName(conn.connId);
    if (settings.Values[name] !== undefined && !overwrite) {
      lines.push(`Could not import connection ${conn.connId}: connection already exists.`);
      continue;
    }
    settings.Values[name] = settingValue(conn);
    lines.push(`Imported connection ${conn.connId}`);
  }
  writeLocalSettings(settingsFile, settings);
  return lines;
}

export async function exportConnections(file: string, settingsFile: string): Promise<number> {
  // The settings file wins over the process environment, as it does under `func start`.
  const env: Record<string, string | undefined> = { ...process.env, ...readLocalSettings(settingsFile).Values };
  const out: Record<string, unknown> = {};
  for (const id of listConnectionIds(env)) {
    try {
      out[id] = toExportEntry(parseConnectionSetting(id, env[connectionSettingName(id)] ?? ""));
    } catch (err) {
      if (err instanceof ConnectionError) throw new CliError(err.message);
      throw err;
    }
  }
  fs.writeFileSync(file, JSON.stringify(out, null, 4) + "\n", { mode: 0o600 });
  return Object.keys(out).length;
}

const CONNECTIONS: CommandGroup = {
  command: "connections",
  summary: "Airflow connections, kept as AIRFLOW_CONN_<ID> settings.",
  subcommands: {
    import: {
      summary: IMPORT.summary,
      load: async () => ({
        run: (args: string[]) => withHelp(async () => {
          const parsed = parseArgs(args, IMPORT);
          const settingsFile = path.resolve(parsed.options.get("--settings") ?? "local.settings.json");
          for (const line of await importConnections(path.resolve(parsed.positionals[0]), settingsFile, parsed.flags.has("--overwrite"))) console.log(line);
          return 0;
        }),
      }),
    },
    export: {
      summary: EXPORT.summary,
      load: async () => ({
        run: (args: string[]) => withHelp(async () => {
          const parsed = parseArgs(args, EXPORT);
          const file = parsed.positionals[0];
          const count = await exportConnections(path.resolve(file), path.resolve(parsed.options.get("--settings") ?? "local.settings.json"));
          console.log(`Connections successfully exported to ${file} (${count}).`);
          return 0;
        }),
      }),
    },
  },
};

export function run(args: string[]): Promise<number> {
  return runGroup(CONNECTIONS, args);
}
