// Dates on the command line: ISO 8601, naive means UTC (Airflow's default timezone).
import { airflowIso, parseInstant } from "../../../orchestrations/runtime/time/time";
import { usageError, type CommandSpec } from "../parse-args";

export function dateOption(text: string, what: string, spec: CommandSpec): string {
  try {
    return airflowIso(parseInstant(text));
  } catch (err) {
    throw usageError(spec, `${what}: ${(err as Error).message}`);
  }
}
