// The stand-in for `@azure/functions-core`, the module the real Node worker provides and that
// @azure/functions requires lazily (tryGetCoreApiLazy) to register functions and hooks.
// core-stub.ts makes `require("@azure/functions-core")` resolve to this file, so the app's own
// registration calls land here and are handed to whichever loader is capturing at the time.

/** Binding metadata exactly as @azure/functions' toCoreFunctionMetadata produces it. */
export interface CoreFunctionMetadata {
  name: string;
  bindings: Record<string, Record<string, unknown> & { type: string; direction: string }>;
  retryOptions?: unknown;
}

/** The handler as the app registered it: (triggerInput, InvocationContext) => result. */
export type CoreFunctionCallback = (...args: unknown[]) => unknown;

export type RegistrationSink = (metadata: CoreFunctionMetadata, callback: CoreFunctionCallback) => void;
export type HookCallback = (context: unknown) => unknown;

let activeSink: RegistrationSink | undefined;
const hooks: { name: string; callback: HookCallback }[] = [];
let programmingModel: unknown;

/** Route registrations to `sink` while `load` runs (the app registers at require time). */
export function captureRegistrations<T>(sink: RegistrationSink, load: () => T): T {
  const previous = activeSink;
  activeSink = sink;
  try {
    return load();
  } finally {
    activeSink = previous;
  }
}

/** Hooks registered through `app.hook.*`, for the host to call at start and stop. */
export function registeredHooks(name: string): HookCallback[] {
  return hooks.filter((h) => h.name === name).map((h) => h.callback);
}

export class Disposable {
  constructor(private readonly onDispose: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.onDispose();
  }
}

// ---- the surface @azure/functions calls ----

export function registerFunction(metadata: CoreFunctionMetadata, callback: CoreFunctionCallback): Disposable {
  if (!activeSink) {
    // Registering outside loadApp (e.g. from a timer callback) would be silently lost in the real
    // host too, which only reads registrations at startup; say so instead of ignoring it.
    throw new Error(`Function "${metadata.name}" was registered after app startup; register functions when the entry module loads.`);
  }
  activeSink(metadata, callback);
  return new Disposable(() => undefined);
}

export function registerHook(name: string, callback: HookCallback): Disposable {
  const entry = { name, callback };
  hooks.push(entry);
  return new Disposable(() => {
    const i = hooks.indexOf(entry);
    if (i >= 0) hooks.splice(i, 1);
  });
}

export function setProgrammingModel(model: unknown): void {
  programmingModel = model;
}

export function getProgrammingModel(): unknown {
  return programmingModel;
}

export function log(level: string, category: string, message: string): void {
  // System logs from @azure/functions (e.g. deferred binding notices): keep warnings and errors.
  if (level === "warning" || level === "error" || level === "critical") {
    process.stderr.write(`[functions ${category} ${level}] ${message}\n`);
  }
}

export const version = "azflow-devhost";
