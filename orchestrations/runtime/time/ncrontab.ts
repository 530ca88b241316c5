import { parseCron } from "./cron";
import type { CompiledSchedule } from "./schedule";

// Azure Functions timer triggers take NCRONTAB: six fields, seconds first, evaluated in UTC here
// (WEBSITE_TIME_ZONE is not set). The timer only wakes the scheduler, which then computes the runs
// due from the timetable, but it must fire at every schedule point, so only exact translations
// are accepted.

export class NcrontabError extends Error {
  override name = "NcrontabError";
}

function compressList(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return parts.join(",");
}

function cronToNcrontab(expression: string): string {
  const cron = parseCron(expression);
  if (cron.domRestricted && cron.dowRestricted) {
    throw new NcrontabError(
      `cron "${expression}" restricts both day-of-month and day-of-week: cron fires when either matches, ` +
        "NCRONTAB only when both do, so it cannot be expressed as one timer; split it into two DAG schedules",
    );
  }
  const fields = [...cron.fields];
  // NCRONTAB's day-of-week is 0-6; write the set out when the text uses 7 for Sunday.
  if (/(^|[^0-9])7($|[^0-9])/.test(fields[4])) fields[4] = compressList([...cron.daysOfWeek]);
  return `0 ${fields.join(" ")}`;
}

function intervalToNcrontab(seconds: number): string {
  const fail = (why: string): never => {
    throw new NcrontabError(`an interval of ${seconds} s cannot be expressed as NCRONTAB: ${why}; use a cron schedule instead`);
  };
  if (!Number.isInteger(seconds)) fail("it is not a whole number of seconds");
  if (seconds < 60) return 60 % seconds === 0 ? `*/${seconds} * * * * *` : fail("it does not divide a minute");
  if (seconds % 60 !== 0) fail("it is not a whole number of minutes");
  const minutes = seconds / 60;
  if (minutes < 60) return 60 % minutes === 0 ? `0 */${minutes} * * * *` : fail("it does not divide an hour");
  if (minutes % 60 !== 0) fail("it is not a whole number of hours");
  const hours = minutes / 60;
  if (hours < 24) return 24 % hours === 0 ? `0 0 */${hours} * * *` : fail("it does not divide a day");
  if (hours === 24) return "0 0 0 * * *";
  return fail("intervals longer than a day do not line up with calendar fields");
}

/** The timer trigger's schedule for a DAG, or null for a manual-only DAG (no timer). */
export function toNcrontab(schedule: CompiledSchedule): string | null {
  switch (schedule.kind) {
    case "cron": return cronToNcrontab(schedule.expression);
    case "interval": return intervalToNcrontab(schedule.seconds);
    case "manual": return null;
    case "once":
      throw new NcrontabError("@once has no recurring timer: start its single run at its start_date (scheduledRunsDue) instead");
  }
}
