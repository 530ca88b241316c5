// local.settings.json is where `func start` and the local runtime read settings from, so it is
// where imported connections land on a developer machine (in Azure they are app settings or
// Key Vault references).
import * as fs from "node:fs";
import { CliError } from "./cli-error";

export interface LocalSettings {
  IsEncrypted?: boolean;
  Values: Record<string, string>;
  [key: string]: unknown;
}

export function readLocalSettings(file: string): LocalSettings {
  if (!fs.existsSync(file)) return { IsEncrypted: false, Values: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new CliError(`${file} is not valid JSON (${(err as Error).message}); fix or remove it.`);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new CliError(`${file} must hold a JSON object.`);
  const settings = parsed as LocalSettings;
  settings.Values ??= {};
  return settings;
}

/** Written with owner-only permissions: it holds connection passwords. */
export function writeLocalSettings(file: string, settings: LocalSettings): void {
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + "\n", { mode: 0o600 });
}
