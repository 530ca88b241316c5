// Task log lines on the CLI's console as the tasks write them (`dags test`, `tasks test`,
// `backfill`, `rerun`), as `airflow dags test` shows them. The lines come from the task logger's
// structured records (functions/activities/task-log.ts) through a telemetry sink added here, so
// they are already masked and carry their task-instance key; the logger then leaves them out of
// the invocation log, which would print them a second time under --verbose. Each line gets
// Airflow's log layout behind a prefix naming the task, its map index and try (Airflow's
// task_log_prefix_template puts a prefix and a colon before the same layout):
//   print_date map_index=-1 try=1:[2024-03-01T10:15:32.123+0000] {bash} INFO - Running command: date
import { addTelemetrySink, removeTelemetrySink } from "../../functions/telemetry/sinks";
import type { TaskLogRecord, TelemetryRecord, TelemetrySink } from "../../functions/telemetry/records";
import type { RunReport } from "./run-report";

const LEVEL_NAMES: Record<TaskLogRecord["level"], string> = { info: "INFO", warning: "WARNING", error: "ERROR" };

/** Airflow's default asctime: 2024-03-01T10:15:32.123+0000. */
function airflowTime(iso: string): string {
  return iso.replace(/Z$/, "+0000");
}

export interface TaskLogStreamOptions {
  /** Where lines go as they are written; none under --quiet (the tail is still kept). */
  print?: (line: string) => void;
  /** The DAG the command runs: lines of other DAGs' tasks (runs it triggered) name their DAG. */
  dagId?: string;
  /** Name the run too: backfill runs several runs of one DAG side by side. */
  showRunId?: boolean;
  /** Lines kept per task try, for the tail printed under the table. */
  keep?: number;
}

function tryKey(dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number): string {
  return JSON.stringify([dagId, runId, taskId, mapIndex, tryNumber]);
}

export class TaskLogStream implements TelemetrySink {
  readonly name = "cli-task-log";
  readonly showsTaskLog = true;
  private readonly tails = new Map<string, string[]>();
  private readonly keep: number;

  constructor(private readonly options: TaskLogStreamOptions) {
    this.keep = options.keep ?? 10;
  }

  prefix(record: TaskLogRecord): string {
    const d = record.dimensions;
    const task = this.options.dagId === undefined || d.dag_id === this.options.dagId ? d.task_id : `${d.dag_id}.${d.task_id}`;
    const run = this.options.showRunId ? ` run_id=${d.run_id}` : "";
    return `${task}${run} map_index=${d.map_index} try=${d.try_number}`;
  }

  write(record: TelemetryRecord): void {
    if (record.kind !== "log") return;
    const d = record.dimensions;
    const head = `${this.prefix(record)}:[${airflowTime(record.time)}] {${record.operator}} ${LEVEL_NAMES[record.level]} - `;
    // One prefix per line: tasks running side by side interleave their lines.
    const lines = record.message.split(/\r?\n/).map((text) => head + text);
    for (const line of lines) this.options.print?.(line);
    const key = tryKey(d.dag_id, d.run_id, d.task_id, d.map_index, d.try_number);
    const tail = this.tails.get(key) ?? [];
    tail.push(...lines);
    if (tail.length > this.keep) tail.splice(0, tail.length - this.keep);
    this.tails.set(key, tail);
  }

  /** The last lines one task try wrote. */
  tail(dagId: string, runId: string, taskId: string, mapIndex: number, tryNumber: number): readonly string[] {
    return this.tails.get(tryKey(dagId, runId, taskId, mapIndex, tryNumber)) ?? [];
  }

  /** The failed tasks' last lines, for under the table: a title line per task, then its lines. */
  failedTails(reports: readonly RunReport[]): string[] {
    const out: string[] = [];
    for (const report of reports) {
      for (const t of report.tasks) {
        if (t.state !== "failed" || t.reused) continue;
        const lines = this.tail(report.dagId, report.runId, t.taskId, t.mapIndex, t.tryNumber);
        if (!lines.length) continue;
        const who = `${report.dagId === this.options.dagId ? "" : `${report.dagId}.`}${t.taskId}${t.mapIndex >= 0 ? `[${t.mapIndex}]` : ""}`;
        out.push("", `Last log lines of ${who}${reports.length > 1 ? ` in ${report.runId}` : ""} (try ${t.tryNumber}, failed):`, ...lines);
      }
    }
    return out;
  }

  close(): void {
    removeTelemetrySink(this);
  }
}

/** Starts showing task log lines; close() stops it. */
export function openTaskLogStream(options: TaskLogStreamOptions): TaskLogStream {
  const stream = new TaskLogStream(options);
  addTelemetrySink(stream);
  return stream;
}
