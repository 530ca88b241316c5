// up, down and status for one service. `up` is idempotent: a service whose pid file names a live
// process that also answers its health check is left alone.
import * as path from "node:path";
import { CliError } from "../cli/cli-error";
import { liveRecord, readPidRecord, removePidRecord, writePidRecord } from "./pid-files";
import { portIsFree, waitUntil } from "./ports";
import { isAlive, serviceProcesses, serviceRssBytes, stopService } from "./process-tree";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";

export type UpState = "started" | "already running" | "ready" | "already ready";

export interface UpResult {
  service: string;
  state: UpState;
  seconds: number;
  endpoint: string;
  pid?: number;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function relative(s: ServiceSettings, file: string): string {
  return path.relative(s.projectRoot, file) || file;
}

async function assertPortsFree(svc: LocalService, s: ServiceSettings): Promise<void> {
  for (const { port, setting } of svc.ports(s)) {
    if (!(await portIsFree(s.host, port))) {
      throw new CliError(`port ${port} for ${svc.name} is taken by another process; set ${setting} to a free port (or stop that process)`);
    }
  }
}

export async function upService(svc: LocalService, s: ServiceSettings): Promise<UpResult> {
  const started = Date.now();
  const result = (state: UpState, pid?: number): UpResult => ({
    service: svc.name,
    state,
    seconds: (Date.now() - started) / 1000,
    endpoint: svc.endpoint(s),
    pid,
  });

  if (!svc.launch) {
    const installed = await svc.ping(s).then(() => true, () => false);
    if (installed) return result("already ready");
    await svc.prepare(s);
    await svc.ping(s);
    return result("ready");
  }

  const running = liveRecord(s, svc.name);
  if (running) {
    // Alive: it may still be starting (another `up` in flight), so give it its start-up time.
    try {
      await waitUntil(() => svc.ping(s), svc.readyTimeoutMs, { abort: () => (isAlive(running.pid) ? undefined : `${svc.name} exited`) });
      return result("already running", running.pid);
    } catch (err) {
      throw new CliError(
        `${svc.name} (pid ${running.pid}) is running but does not answer (${message(err)}); run 'azflow services down ${svc.name}' and 'up' again, and see ${relative(s, svc.logFile(s))}`,
      );
    }
  }
  removePidRecord(s, svc.name);
  await assertPortsFree(svc, s);
  await svc.prepare(s);
  const launched = await svc.launch(s);
  writePidRecord(s, { service: svc.name, pid: launched.pid, startedAt: new Date().toISOString(), marker: launched.marker });
  try {
    await waitUntil(() => svc.ping(s), svc.readyTimeoutMs, {
      intervalMs: 300,
      abort: () => (isAlive(launched.pid) ? undefined : `${svc.name} exited during start-up`),
    });
    await svc.afterReady?.(s);
  } catch (err) {
    // Leave nothing half-started behind.
    await stopService(launched.pid, svc.stop).catch(() => undefined);
    removePidRecord(s, svc.name);
    throw new CliError(`${svc.name} did not become ready within ${svc.readyTimeoutMs / 1000} s (${message(err)}); see ${relative(s, svc.logFile(s))}`);
  }
  return result("started", launched.pid);
}

export interface DownResult {
  service: string;
  state: "stopped" | "killed" | "not running";
  seconds: number;
}

export async function downService(svc: LocalService, s: ServiceSettings): Promise<DownResult> {
  const started = Date.now();
  const record = readPidRecord(s, svc.name);
  let state: DownResult["state"] = "not running";
  if (record && liveRecord(s, svc.name)) {
    state = await stopService(record.pid, svc.stop);
  } else if (record && !isAlive(record.pid) && serviceProcesses(record.pid).length > 0) {
    // The leader died but left members of its group behind: stop those.
    state = await stopService(record.pid, { ...svc.stop, leaderOnly: false });
  }
  removePidRecord(s, svc.name);
  return { service: svc.name, state, seconds: (Date.now() - started) / 1000 };
}

export interface StatusResult {
  service: string;
  state: "healthy" | "unhealthy" | "down";
  endpoint: string;
  roundTripMs?: number;
  rssBytes: number;
  detail: string;
}

export async function statusService(svc: LocalService, s: ServiceSettings): Promise<StatusResult> {
  const base = { service: svc.name, endpoint: svc.endpoint(s) };
  const record = svc.launch ? liveRecord(s, svc.name) : undefined;
  if (svc.launch && !record) {
    return { ...base, state: "down", rssBytes: 0, detail: `not running; start it with 'azflow services up ${svc.name}'` };
  }
  if (!svc.launch) {
    const missing = await svc.ping(s).then(
      () => undefined,
      // A CliError carries its own fix (install Java); anything else is fixed by `up`.
      (err: unknown) => (err instanceof CliError ? err.message : `${message(err)}; run 'azflow services up ${svc.name}'`),
    );
    if (missing) return { ...base, state: "down", rssBytes: 0, detail: missing };
  }
  const started = Date.now();
  try {
    const detail = await svc.probe(s);
    const roundTripMs = Date.now() - started;
    return { ...base, state: "healthy", roundTripMs, rssBytes: record ? serviceRssBytes(record.pid) : 0, detail };
  } catch (err) {
    return { ...base, state: "unhealthy", roundTripMs: Date.now() - started, rssBytes: record ? serviceRssBytes(record.pid) : 0, detail: message(err) };
  }
}
