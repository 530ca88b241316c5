// Where telemetry records go. Built once per process from the settings: Application Insights when
// APPLICATIONINSIGHTS_CONNECTION_STRING is set, otherwise .local/logs/telemetry.jsonl (task log
// lines also go to the invocation's log, i.e. the console, then). Other sinks register themselves
// with addTelemetrySink. A sink that throws is reported once and never fails the task.
import * as path from "node:path";
import { appRoot } from "../app-root";
import { ingestionCredential, readConnectionString } from "./app-insights-settings";
import type * as AppInsights from "./app-insights-sink";
import { LocalFileSink } from "./local-file-sink";
import type { TelemetryRecord, TelemetrySink } from "./records";

let defaults: TelemetrySink[] | undefined;
let toAppInsights = false;
const extra: TelemetrySink[] = [];
const reported = new Set<string>();

function buildDefaults(): TelemetrySink[] {
  const connectionString = readConnectionString();
  if (connectionString) {
    // Loaded only when configured: the exporters and OpenTelemetry SDKs are a large part of a
    // local process's start-up otherwise.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { AppInsightsSink } = require("./app-insights-sink") as typeof AppInsights;
    toAppInsights = true;
    return [new AppInsightsSink(connectionString, ingestionCredential())];
  }
  toAppInsights = false;
  const localDir = path.resolve(appRoot(), process.env.AZFLOW_LOCAL_DIR || ".local");
  return [new LocalFileSink(path.join(localDir, "logs", "telemetry.jsonl"))];
}

/** The configured sinks; throws a SettingsError naming the setting when a telemetry setting is malformed. */
export function telemetrySinks(): TelemetrySink[] {
  defaults ??= buildDefaults();
  return [...defaults, ...extra];
}

/** True when records go to Application Insights (then task lines are not also sent through the host's log). */
export function sendsToAppInsights(): boolean {
  telemetrySinks();
  return toAppInsights;
}

/** True when an added sink shows task lines on a console already (then the invocation log does not repeat them). */
export function taskLogShownBySink(): boolean {
  return extra.some((s) => s.showsTaskLog);
}

export function addTelemetrySink(sink: TelemetrySink): void {
  extra.push(sink);
}

export function removeTelemetrySink(sink: TelemetrySink): void {
  const i = extra.indexOf(sink);
  if (i >= 0) extra.splice(i, 1);
}

/** Deliver one record to every sink. */
export function emitRecord(record: TelemetryRecord, sinks: TelemetrySink[] = telemetrySinks()): void {
  for (const sink of sinks) {
    try {
      sink.write(record);
    } catch (err) {
      if (!reported.has(sink.name)) {
        reported.add(sink.name);
        console.warn(`azflow telemetry: sink ${sink.name} failed: ${(err as Error).message}`);
      }
    }
  }
}

export async function flushTelemetry(): Promise<void> {
  await Promise.all(telemetrySinks().map((s) => s.flush?.().catch(() => undefined)));
}

/** Flush and close every sink; the next record builds them again from the settings. */
export async function shutdownTelemetry(): Promise<void> {
  const sinks = defaults ?? [];
  defaults = undefined;
  await Promise.all([...sinks, ...extra].map((s) => (s.shutdown ?? s.flush)?.call(s).catch(() => undefined)));
}
