import { parseCron } from "./cron";
import { Duration, parseDuration } from "./duration";

// How a DAG says when it runs: a cron expression or preset, "@once", null (manual only), or a
// fixed interval ({ every: "20s" }, Airflow's timedelta schedule).
export type ScheduleInput = string | null | { readonly every: Duration };

export type CompiledSchedule =
  | { readonly kind: "cron"; readonly expression: string; readonly preset: string | null }
  | { readonly kind: "interval"; readonly seconds: number }
  | { readonly kind: "once" }
  | { readonly kind: "manual" };

export const CRON_PRESETS: Readonly<Record<string, string>> = {
  "@hourly": "0 * * * *",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@weekly": "0 0 * * 0",
  "@monthly": "0 0 1 * *",
  "@quarterly": "0 0 1 */3 *",
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
};

/** Throws a message saying what was wrong with the schedule (callers add the DAG id). */
export function compileSchedule(input: ScheduleInput | undefined): CompiledSchedule {
  if (input === null || input === undefined) return { kind: "manual" };
  if (typeof input === "string") {
    const text = input.trim();
    if (text === "@once") return { kind: "once" };
    if (text.startsWith("@")) {
      const expression = CRON_PRESETS[text];
      if (expression === undefined) {
        throw new Error(`unknown schedule preset "${text}" (known: ${Object.keys(CRON_PRESETS).join(", ")}, @once)`);
      }
      return { kind: "cron", expression, preset: text };
    }
    parseCron(text);
    return { kind: "cron", expression: text, preset: null };
  }
  if (typeof input === "object" && "every" in input) {
    const seconds = parseDuration(input.every);
    if (seconds <= 0) throw new Error(`interval schedule must be positive, got ${String(input.every)}`);
    return { kind: "interval", seconds };
  }
  throw new Error(`schedule must be a cron expression, a preset, "@once", null or { every: duration }`);
}

/** The schedule as Airflow's API shows it (schedule_interval). */
export function describeSchedule(schedule: CompiledSchedule): string | null {
  switch (schedule.kind) {
    case "cron": return schedule.preset ?? schedule.expression;
    case "interval": return `every ${schedule.seconds}s`;
    case "once": return "@once";
    case "manual": return null;
  }
}
