// The parts of host.json the local runtime honours.
import * as fs from "node:fs";
import * as path from "node:path";

export interface HostConfig {
  /** extensions.http.routePrefix; "api" when absent, "" allowed. */
  routePrefix: string;
  /** functionTimeout in ms: a handler still running after this is cut off. */
  functionTimeoutMs: number;
  /** extensions.durableTask.maxConcurrentActivityFunctions */
  maxConcurrentActivityFunctions: number;
  /** extensions.durableTask.hubName with %SETTING% references resolved. */
  hubName: string;
}

// The Consumption-plan default (5 minutes) when host.json sets no functionTimeout.
const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Parses a .NET TimeSpan ("hh:mm:ss", "d.hh:mm:ss", optional ".fff") into milliseconds. */
export function parseTimeSpan(value: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(value.trim());
  if (!m) throw new Error(`Invalid TimeSpan "${value}": expected hh:mm:ss or d.hh:mm:ss.`);
  const [, d, h, min, s, frac] = m;
  const ms = frac ? Number(`0.${frac}`) * 1000 : 0;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + Math.round(ms);
}

function resolveSettingRefs(value: string): string {
  return value.replace(/%([^%]+)%/g, (_, name: string) => process.env[name] ?? "");
}

export function readHostConfig(appRoot: string, overrides: Partial<HostConfig> = {}): HostConfig {
  const file = path.join(appRoot, "host.json");
  let json: Record<string, unknown> = {};
  if (fs.existsSync(file)) json = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
  const extensions = (json.extensions ?? {}) as Record<string, Record<string, unknown> | undefined>;
  const http = extensions.http ?? {};
  const durable = extensions.durableTask ?? {};
  const timeout = typeof json.functionTimeout === "string" ? json.functionTimeout : undefined;
  const hub = typeof durable.hubName === "string" ? resolveSettingRefs(durable.hubName) : "";
  return {
    routePrefix: typeof http.routePrefix === "string" ? http.routePrefix : "api",
    functionTimeoutMs: timeout && timeout !== "-1" ? parseTimeSpan(timeout) : DEFAULT_TIMEOUT_MS,
    maxConcurrentActivityFunctions: typeof durable.maxConcurrentActivityFunctions === "number" ? durable.maxConcurrentActivityFunctions : 10,
    hubName: hub || "TestHubName",
    ...overrides,
  };
}
