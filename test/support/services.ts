// How tests reach the local services `npm test` starts: connection settings on the configured
// ports, and a guard that tells a missing prerequisite (skip locally, fail in CI) from a service
// that should be running but is not (always a failure).
import type { TestContext } from "node:test";
import type { ClientConfig } from "pg";
import { azuriteConnectionString as connectionString, azuriteEndpoints } from "../../tools/services/azurite";
import { kafkaBrokers as brokers } from "../../tools/services/kafka";
import { pgClientConfig } from "../../tools/services/postgres";
import { SERVICES } from "../../tools/services/registry";
import type { ServiceName } from "../../tools/services/service";
import { serviceSettings, type ServiceSettings } from "../../tools/services/settings";
import { runSparkSubmit, sparkSubmitCommand, type SparkRun, type SparkSubmitCommand, type SparkSubmitOptions } from "../../tools/services/spark";

/** Set by the test runner to the services whose prerequisites (Java, Python) are missing. */
export const UNAVAILABLE_SERVICES_ENV = "AZFLOW_SERVICES_UNAVAILABLE";

let cached: ServiceSettings | undefined;
export function settings(): ServiceSettings {
  cached ??= serviceSettings();
  return cached;
}

export function azuriteConnectionString(): string {
  return connectionString(settings());
}

export function azuriteUrls(): { blob: string; queue: string; table: string } {
  return azuriteEndpoints(settings());
}

export function pgConfig(database?: string): ClientConfig {
  return pgClientConfig(settings(), database);
}

export function kafkaBrokers(): string[] {
  return brokers(settings());
}

export function sparkSubmit(options: SparkSubmitOptions, timeoutMs?: number): Promise<SparkRun> {
  return runSparkSubmit(settings(), options, timeoutMs);
}

export function sparkCommand(options: SparkSubmitOptions): SparkSubmitCommand {
  return sparkSubmitCommand(settings(), options);
}

function isCi(): boolean {
  return /^(1|true|yes)$/i.test(process.env.CI ?? "");
}

/**
 * Call first in a test that needs a service: `if (!(await needService(t, "kafka"))) return;`.
 * Resolves false after marking the test skipped when the service cannot run on this machine;
 * throws when it should be running and is not, or in CI.
 */
export async function needService(t: TestContext, name: ServiceName): Promise<boolean> {
  const unavailable = (process.env[UNAVAILABLE_SERVICES_ENV] ?? "").split(",").map((s) => s.trim());
  if (unavailable.includes(name)) {
    const reason = `${name} cannot run here (a prerequisite is missing; see the test runner's first lines)`;
    if (isCi()) throw new Error(`${reason}; CI=true makes this a failure`);
    t.skip(reason);
    return false;
  }
  const service = SERVICES.find((s) => s.name === name)!;
  try {
    await service.ping(settings());
  } catch (err) {
    throw new Error(
      `${name} is not running (${err instanceof Error ? err.message : String(err)}); start it with 'node dist/tools/cli/main.js services up ${name}' or run 'npm test'`,
    );
  }
  return true;
}

/** A name unique to this test run, for topics, containers, tables and queues. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}
