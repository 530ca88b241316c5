// Where orchestration instances live between episodes. The engine keeps every instance in
// memory and writes through to a store after each change; a store that survives the process
// (FileInstanceStore) is what lets a restarted host resume running orchestrations from history.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fromStoredEvent, toStoredEvent, type FailureDetails, type HistoryEvent } from "./history";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "ContinuedAsNew" | "Failed" | "Terminated";

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ["Completed", "Failed", "Terminated"];

export function isTerminal(status: RuntimeStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  /** Changes on continueAsNew; completions for an older execution are dropped. */
  executionId: string;
  status: RuntimeStatus;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  failure?: FailureDetails;
  createdTime: Date;
  lastUpdatedTime: Date;
  /** Set for sub-orchestrations: where to report completion. */
  parent?: { instanceId: string; executionId: string; taskId: number };
  /** History of the current execution, as replayed by the SDK. */
  history: HistoryEvent[];
  /** Events received but not yet given to an episode (the instance's queue). */
  inbox: HistoryEvent[];
}

export interface InstanceStore {
  loadAll(): InstanceRecord[];
  save(record: InstanceRecord): void;
  delete(instanceId: string): void;
}

/** Nothing survives the process: test mode and benchmarks. */
export class MemoryInstanceStore implements InstanceStore {
  loadAll(): InstanceRecord[] {
    return [];
  }
  save(): void {}
  delete(): void {}
}

/** Room for ".json.tmp" within the usual 255-byte file name limit. */
const MAX_NAME_BYTES = 200;

/**
 * The file of an instance, named so that any instance id works: an id may be 256 characters (an
 * Airflow run id alone may be 250) and percent-encoding can triple it. Short ids keep the plain
 * encoded name, so existing state directories load unchanged; longer ones are cut and end in a
 * hash of the whole id.
 */
export function instanceFileName(instanceId: string): string {
  const encoded = encodeURIComponent(instanceId);
  if (encoded.length <= MAX_NAME_BYTES) return `${encoded}.json`;
  const hash = createHash("sha256").update(instanceId, "utf8").digest("hex").slice(0, 32);
  return `${encoded.slice(0, MAX_NAME_BYTES - hash.length - 1)}~${hash}.json`;
}

/** One JSON file per instance, replaced atomically (write then rename) on every change. */
export class FileInstanceStore implements InstanceStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  private fileFor(instanceId: string): string {
    return path.join(this.dir, instanceFileName(instanceId));
  }

  loadAll(): InstanceRecord[] {
    const records: InstanceRecord[] = [];
    for (const file of fs.readdirSync(this.dir)) {
      if (!file.endsWith(".json")) continue;
      const raw = JSON.parse(fs.readFileSync(path.join(this.dir, file), "utf8")) as Record<string, unknown> & {
        history: Record<string, unknown>[];
        inbox: Record<string, unknown>[];
        createdTime: string;
        lastUpdatedTime: string;
      };
      records.push({
        ...(raw as unknown as InstanceRecord),
        createdTime: new Date(raw.createdTime),
        lastUpdatedTime: new Date(raw.lastUpdatedTime),
        history: raw.history.map(fromStoredEvent),
        inbox: raw.inbox.map(fromStoredEvent),
      });
    }
    return records;
  }

  save(record: InstanceRecord): void {
    const file = this.fileFor(record.instanceId);
    const json = JSON.stringify({ ...record, history: record.history.map(toStoredEvent), inbox: record.inbox.map(toStoredEvent) });
    // Synchronous on purpose: a completion is on disk before anything acts on it, so a crash
    // never loses a finished activity (which would otherwise run again after restart).
    fs.writeFileSync(`${file}.tmp`, json);
    fs.renameSync(`${file}.tmp`, file);
  }

  delete(instanceId: string): void {
    fs.rmSync(this.fileFor(instanceId), { force: true });
  }
}
