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

/**
 * What one exec can pass as arguments and environment (ARG_MAX): 2 MiB on Linux (where Azure
 * runs the app), 1 MiB on macOS. Past it, starting a process that inherits the settings (the
 * Functions worker under `func start`, a tool the app runs) fails with E2BIG.
 */
const ENVIRONMENT_LIMIT_BYTES = process.platform === "darwin" ? 1024 * 1024 : 2 * 1024 * 1024;
/** Linux's limit on one "NAME=value" string (MAX_ARG_STRLEN). */
const VARIABLE_LIMIT_BYTES = 128 * 1024;

/** The bytes a set of variables takes in a process's environment: each string, its NUL and its pointer. */
function environmentBytes(values: Record<string, string | undefined>): number {
  let bytes = 0;
  for (const [name, value] of Object.entries(values)) if (value !== undefined) bytes += Buffer.byteLength(name) + Buffer.byteLength(value) + 2 + 8;
  return bytes;
}

/** Warnings when the settings, added to this environment, no longer fit in a process environment. */
export function environmentWarnings(settingsFile: string, values: Record<string, string>): string[] {
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    if (Buffer.byteLength(name) + Buffer.byteLength(value) + 1 > VARIABLE_LIMIT_BYTES) {
      warnings.push(`warning: ${name} in ${settingsFile} is over ${VARIABLE_LIMIT_BYTES / 1024} KiB, more than one environment variable can hold: processes started with it fail (E2BIG).`);
    }
  }
  const combined = environmentBytes({ ...process.env, ...values });
  if (combined > ENVIRONMENT_LIMIT_BYTES) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
    warnings.push(
      `warning: ${settingsFile} holds ${Object.keys(values).length} settings (${mb(environmentBytes(values))} MB); with this shell's environment that is ${mb(combined)} MB, ` +
      `over the ${mb(ENVIRONMENT_LIMIT_BYTES)} MB a process environment can hold, so \`func start\` and any process given these settings fail with E2BIG. ` +
      "azflow's own tasks still run (their processes get no connections they do not name); keep the connections in a secrets store or in fewer settings.",
    );
  }
  return warnings;
}

/** The JSON form of a setting value (not a URI), so descriptions and extras survive. */
function settingValue(conn: Connection): string {
  const entry = toExportEntry(conn);
  return JSON.stringify(Object.fromEntries(Object.entries(entry).filter(([, v]) => v !== null)));
}

export async function importConnections(file: string, settingsFile: string, overwrite: boolean): Promise<{ lines: string[]; warnings: string[] }> {
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
  return { lines, warnings: environmentWarnings(path.basename(settingsFile), settings.Values) };
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
          const { lines, warnings } = await importConnections(path.resolve(parsed.positionals[0]), settingsFile, parsed.flags.has("--overwrite"));
          for (const line of lines) console.log(line);
          for (const warning of warnings) console.error(`azflow: ${warning}`);
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
