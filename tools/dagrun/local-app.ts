// Loading the app as `func start` would, on this machine: local.settings.json first, then the
// local services' defaults for whatever it leaves unset, and only then the entry, because the
// entry reads settings as it registers its functions. An entry that fails to load (a bad DAG
// definition above all) is a CliError: one line per problem, no stack trace.
import * as path from "node:path";
import { loadApp, type LoadedApp, loadLocalSettings, resolveEntry } from "../devhost";
import { CliError } from "../cli/cli-error";
import { applyLocalAppSettings } from "../services/app-env";
import { serviceSettings } from "../services/settings";

/** The first stack frame outside node_modules and Node itself: where in the app it broke. */
function appFrame(err: Error): string | null {
  for (const line of (err.stack ?? "").split("\n").slice(1)) {
    const m = /\(?((?:\/|[A-Za-z]:\\)[^()]+:\d+:\d+)\)?$/.exec(line.trim());
    if (m && !m[1].includes(`${path.sep}node_modules${path.sep}`)) return m[1];
  }
  return null;
}

/** Why the entry did not load, as lines for the user (the CLI prefixes each with "azflow: "). */
export function appLoadProblems(entryPath: string, err: unknown): string[] {
  const e = err instanceof Error ? err : new Error(String(err));
  // By name, not class: an app may carry its own copy of the DAG runtime.
  const problems = (e as { problems?: unknown }).problems;
  if (e.name === "DagDefinitionError" && Array.isArray(problems) && problems.every((p) => typeof p === "string")) return problems as string[];
  const where = appFrame(e);
  return [`${entryPath} failed to load: ${e.name}: ${e.message.split("\n")[0]}${where ? ` (at ${where})` : ""}`];
}

export function loadLocalApp(entry?: string): LoadedApp {
  let resolved: { appRoot: string; entryPath: string };
  try {
    resolved = resolveEntry(entry);
  } catch (err) {
    throw new CliError(`no app to load at ${path.resolve(entry ?? ".")}: ${(err as Error).message.split("\n")[0]}`, 1);
  }
  loadLocalSettings(resolved.appRoot);
  applyLocalAppSettings(serviceSettings());
  try {
    return loadApp(entry);
  } catch (err) {
    // main prints "azflow: " before the message: every further problem gets its own prefixed line.
    throw new CliError(appLoadProblems(resolved.entryPath, err).join("\nazflow: "), 1);
  }
}
