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
import { readLocalSettings, writeLocalSettings } from "../local-settings";

const USAGE = "usage: azflow connections import <file> [--overwrite] [--settings local.settings.json]\n" +
  "       azflow connections export <file> [--settings local.settings.json]";

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  if (!value) throw new CliError(`${name} needs a value.\n${USAGE}`, 2);
  args.splice(i, 2);
  return value;
}

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

export async function run(argv: string[]): Promise<number> {
  const args = [...argv];
  const settingsFile = path.resolve(option(args, "--settings") ?? "local.settings.json");
  const overwrite = args.includes("--overwrite");
  const [action, file, ...extra] = args.filter((a) => a !== "--overwrite");
  if (!file || extra.length || (action !== "import" && action !== "export")) {
    console.error(USAGE);
    return 2;
  }
  if (action === "import") {
    for (const line of await importConnections(path.resolve(file), settingsFile, overwrite)) console.log(line);
  } else {
    const count = await exportConnections(path.resolve(file), settingsFile);
    console.log(`Connections successfully exported to ${file} (${count}).`);
  }
  return 0;
}
