// Shared helpers for the devhost tests (compiled next to them under dist/test/tools/devhost).
import * as path from "node:path";
import { loadApp, createEngine, type DurableEngine, type EngineOptions, type LoadedApp } from "../../../tools/devhost";

export const appsDir = path.join(__dirname, "..", "..", "apps");
export const repoRoot = path.join(__dirname, "..", "..", "..", "..");
export const cliMain = path.join(repoRoot, "dist", "tools", "cli", "main.js");

export function sampleApp(name: "durable-samples" | "triggers" | "resume"): LoadedApp {
  return loadApp(path.join(appsDir, name, "index.js"));
}

export function testEngine(app: LoadedApp, options: Partial<EngineOptions> = {}): DurableEngine {
  return createEngine({ registry: app.registry, mode: "test", appRoot: app.appRoot, ...options });
}

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
