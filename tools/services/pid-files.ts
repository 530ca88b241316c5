// What `up` started is recorded in .local/run/<service>.pid, so `down` stops only our processes
// and a second `up` recognises them. The record keeps a fragment of the command line to reject a
// pid the system has since given to an unrelated process.
import * as fs from "node:fs";
import * as path from "node:path";
import { commandLine, isAlive } from "./process-tree";
import type { ServiceSettings } from "./settings";

export interface PidRecord {
  service: string;
  pid: number;
  startedAt: string;
  /** A fragment of the command line that identifies this service's leader process. */
  marker: string;
}

function pidFile(settings: ServiceSettings, service: string): string {
  return path.join(settings.runDir, `${service}.pid`);
}

export function writePidRecord(settings: ServiceSettings, record: PidRecord): void {
  fs.mkdirSync(settings.runDir, { recursive: true });
  fs.writeFileSync(pidFile(settings, record.service), JSON.stringify(record) + "\n");
}

export function readPidRecord(settings: ServiceSettings, service: string): PidRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(pidFile(settings, service), "utf8")) as PidRecord;
    return Number.isInteger(record.pid) && record.pid > 0 ? record : undefined;
  } catch {
    return undefined;
  }
}

export function removePidRecord(settings: ServiceSettings, service: string): void {
  fs.rmSync(pidFile(settings, service), { force: true });
}

/** The record of a service whose leader process is still alive, else undefined. */
export function liveRecord(settings: ServiceSettings, service: string): PidRecord | undefined {
  const record = readPidRecord(settings, service);
  if (!record || !isAlive(record.pid)) return undefined;
  return commandLine(record.pid).includes(record.marker) ? record : undefined;
}
