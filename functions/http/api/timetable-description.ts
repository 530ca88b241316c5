// timetable_description as Airflow 2.10 words it (its cron timetables use cron_descriptor's
// sentences, 24-hour times). The common shapes are described; any other cron expression is
// returned as written rather than guessed at.
import type { CompiledSchedule } from "../../../orchestrations/runtime/time/schedule";

const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
const MONTHS = ["", "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const NUMBER = /^\d+$/;
const STEP = /^\*\/(\d+)$/;

function timePart(minute: string, hour: string): string | null {
  if (NUMBER.test(minute) && NUMBER.test(hour)) return `At ${hour.padStart(2, "0")}:${minute.padStart(2, "0")}`;
  if (hour !== "*") return null;
  if (minute === "*") return "Every minute";
  const step = STEP.exec(minute);
  if (step) return `Every ${step[1]} minutes`;
  if (NUMBER.test(minute)) return `At ${Number(minute)} minutes past the hour`;
  return null;
}

function cronDescription(expression: string): string {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) return expression;
  const [minute, hour, dom, month, dow] = fields;
  const parts = [timePart(minute, hour)];
  if (dom !== "*") parts.push(NUMBER.test(dom) ? `on day ${Number(dom)} of the month` : null);
  if (dow !== "*") parts.push(NUMBER.test(dow) && Number(dow) <= 7 ? `only on ${DAYS[Number(dow)]}` : null);
  if (month !== "*") {
    const step = STEP.exec(month);
    parts.push(step ? `every ${step[1]} months` : NUMBER.test(month) && Number(month) >= 1 && Number(month) <= 12 ? `only in ${MONTHS[Number(month)]}` : null);
  }
  return parts.every((p) => p !== null) ? parts.join(", ") : expression;
}

export function timetableDescription(schedule: CompiledSchedule): string {
  switch (schedule.kind) {
    case "cron": return cronDescription(schedule.expression);
    // Airflow's fixed-interval timetable has no description.
    case "interval": return "";
    case "once": return "Once, as soon as possible";
    case "manual": return "Never, external triggers only";
  }
}
