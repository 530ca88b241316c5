// Without Application Insights (here, under `func start`, in tests) every record is appended as
// one JSON line to .local/logs/telemetry.jsonl, so the same records a deployment would send can be
// read and queried locally (`jq 'select(.dimensions.dag_id == "tutorial")'`).
import * as fs from "node:fs";
import * as path from "node:path";
import type { TelemetryRecord, TelemetrySink } from "./records";

export class LocalFileSink implements TelemetrySink {
  readonly name = "local-file";
  private failed = false;

  constructor(readonly file: string) {}

  write(record: TelemetryRecord): void {
    if (this.failed) return;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Appends of one short line are atomic enough for several workers sharing the file.
      fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
    } catch (err) {
      // A read-only package folder (Azure without a connection string): say it once, carry on.
      this.failed = true;
      console.warn(`azflow telemetry: cannot write ${this.file} (${(err as Error).message}); local telemetry is off.`);
    }
  }
}
