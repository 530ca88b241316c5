// Orchestration state on disk for `azflow host`: one JSON file per instance, named so that any
// instance id works. File names are limited to 255 bytes; an instance id may be 256 characters
// (an Airflow run id alone may be 250), and percent-encoding can triple it. Short ids keep the
// plain encoded name the engine's FileInstanceStore uses, so existing state directories load
// unchanged; longer ones are cut and end in a hash of the whole id.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fromStoredEvent, toStoredEvent } from "./engine/history";
import type { InstanceRecord, InstanceStore } from "./engine/instance-store";

/** Room for ".json.tmp" within the usual 255-byte limit. */
const MAX_NAME_BYTES = 200;

export function instanceFileName(instanceId: string): string {
  const encoded = encodeURIComponent(instanceId);
  if (encoded.length <= MAX_NAME_BYTES) return `${encoded}.json`;
  const hash = createHash("sha256").update(instanceId, "utf8").digest("hex").slice(0, 32);
  return `${encoded.slice(0, MAX_NAME_BYTES - hash.length - 1)}~${hash}.json`;
}

/** Like the engine's FileInstanceStore (atomic replace on every change), with bounded file names. */
export class InstanceFileStore implements InstanceStore {
  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
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
    const file = path.join(this.dir, instanceFileName(record.instanceId));
    const json = JSON.stringify({ ...record, history: record.history.map(toStoredEvent), inbox: record.inbox.map(toStoredEvent) });
    // Synchronous on purpose: a completion is on disk before anything acts on it.
    fs.writeFileSync(`${file}.tmp`, json);
    fs.renameSync(`${file}.tmp`, file);
  }

  delete(instanceId: string): void {
    fs.rmSync(path.join(this.dir, instanceFileName(instanceId)), { force: true });
  }
}
