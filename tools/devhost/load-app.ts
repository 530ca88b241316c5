// Loads an app's entry the way the Functions host does and returns what it registered.
import "./core-stub";
import * as fs from "node:fs";
import * as path from "node:path";
import { captureRegistrations } from "./core-api";
import { FunctionRegistry } from "./registry";

export interface LoadedApp {
  /** Absolute path of the entry module that was required. */
  entryPath: string;
  /** Directory holding the app's package.json and host.json. */
  appRoot: string;
  registry: FunctionRegistry;
}

// Node caches modules, so requiring an entry a second time registers nothing: remember each
// entry's registry and hand the same one back.
const loaded = new Map<string, LoadedApp>();

function findAppRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
}

/** An entry file, or a directory whose package.json `main` names the entry (default: cwd). */
export function resolveEntry(entryOrDir: string = process.cwd()): { entryPath: string; appRoot: string } {
  const target = path.resolve(entryOrDir);
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
    const pkgFile = path.join(target, "package.json");
    if (!fs.existsSync(pkgFile)) throw new Error(`No package.json in ${target}: pass the app directory or its entry file.`);
    const main = (JSON.parse(fs.readFileSync(pkgFile, "utf8")) as { main?: string }).main;
    if (!main) throw new Error(`${pkgFile} has no "main": the Functions host needs it to find the entry.`);
    return { entryPath: require.resolve(path.resolve(target, main)), appRoot: target };
  }
  const entryPath = require.resolve(target);
  return { entryPath, appRoot: findAppRoot(path.dirname(entryPath)) };
}

export function loadApp(entryOrDir?: string): LoadedApp {
  const { entryPath, appRoot } = resolveEntry(entryOrDir);
  const cached = loaded.get(entryPath);
  if (cached) return cached;
  if (require.cache[entryPath]) throw new Error(`${entryPath} was already required before loadApp; its registrations were not captured.`);
  const registry = new FunctionRegistry();
  // The host loads the entry with require, and so must we: registrations happen as it loads.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  captureRegistrations((metadata, handler) => registry.add(metadata, handler), () => require(entryPath));
  const app = { entryPath, appRoot, registry };
  loaded.set(entryPath, app);
  return app;
}
