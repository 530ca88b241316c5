// Makes `require("@azure/functions-core")` resolve to core-api.ts. @azure/functions caches the
// result of its first lookup (null when the module is missing), so this must run before the app
// registers anything; load-app.ts and index.ts install it at module load.
// The module loader itself (not a namespace copy): _resolveFilename must be patched on it.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import Module = require("node:module");

const CORE_MODULE = "@azure/functions-core";

type ResolveFilename = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const moduleInternals = Module as unknown as { _resolveFilename: ResolveFilename };

let installed = false;

export function installCoreStub(): void {
  if (installed) return;
  installed = true;
  const stubPath = require.resolve("./core-api");
  const original = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request, parent, isMain, options) {
    if (request === CORE_MODULE) return stubPath;
    return original.call(this, request, parent, isMain, options);
  };
}

installCoreStub();
