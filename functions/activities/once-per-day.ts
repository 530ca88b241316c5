// "Trigger a task once per day, even with frequent DAG runs" (seed 000) as a reusable branch
// operator: it follows `follow` unless `task_id` of `dag_id` already succeeded in the current day
// (UTC by default, or a named time zone), and `otherwise` when it did. The answer comes from the
// run ledger, as the seed read Airflow's task_instance table.
import { appRunLedger } from "../runs/app-run-ledger";
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorDefinition } from "./operator";

export interface OncePerDayConfig {
  dagId?: string;
  taskId: string;
  follow: string[];
  otherwise: string[];
  timezone: string;
}

/** Offset of a time zone from UTC at an instant, in ms (local wall time minus UTC). */
function zoneOffsetMs(timezone: string, atMs: number): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit",
  }).formatToParts(new Date(atMs));
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(get("year"), get("month") - 1, get("day"), get("hour"), get("minute"), get("second"));
  return wall - Math.floor(atMs / 1000) * 1000;
}

/** [start, end) of the calendar day that holds `nowMs` in `timezone`, as UTC epoch ms. */
export function dayBounds(nowMs: number, timezone: string): { start: number; end: number; day: string } {
  const local = new Date(nowMs + zoneOffsetMs(timezone, nowMs));
  const y = local.getUTCFullYear();
  const m = local.getUTCMonth();
  const d = local.getUTCDate();
  // Midnight local: the UTC instant whose wall time is 00:00, with the offset in force then (DST).
  const startOf = (year: number, month: number, date: number): number => {
    const guess = Date.UTC(year, month, date);
    return guess - zoneOffsetMs(timezone, guess - zoneOffsetMs(timezone, guess));
  };
  const day = `${y}-${String(m + 1).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  return { start: startOf(y, m, d), end: startOf(y, m, d + 1), day };
}

export const oncePerDayBranch: OperatorDefinition<OncePerDayConfig> = {
  name: "once_per_day_branch",
  templateFields: ["dag_id", "task_id"],
  parse(config, where) {
    const c = new ConfigReader(config, where).only(["dag_id", "task_id", "follow", "otherwise", "timezone"]);
    const timezone = c.string("timezone", "UTC");
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    } catch {
      throw new ConfigError(`${where}: '${timezone}' is not a time zone (use an IANA name such as Europe/Kyiv).`);
    }
    const follow = c.stringList("follow");
    if (!follow.length) throw new ConfigError(`${where}: 'follow' names the task(s) to run when the task has not run today.`);
    return { dagId: c.optionalString("dag_id"), taskId: c.string("task_id"), follow, otherwise: c.stringList("otherwise"), timezone };
  },
  async execute(config, ctx) {
    const dagId = config.dagId ?? ctx.dagId;
    const { start, end, day } = dayBounds(Date.now(), config.timezone);
    const done = await appRunLedger().taskSucceededBetween(dagId, config.taskId, start, end);
    ctx.log(`${dagId}.${config.taskId} ${done ? "already succeeded" : "has not succeeded"} on ${day} (${config.timezone}).`);
    return done ? config.otherwise : config.follow;
  },
};
