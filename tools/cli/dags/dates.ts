// Dates on the command line: ISO 8601, naive means UTC (Airflow's default timezone).
import { airflowIso, parseInstant } from "../../../orchestrations/runtime/time/time";
import { CliError } from "../cli-error";

export function dateOption(text: string, what: string, usage: string): string {
  try {
    return airflowIso(parseInstant(text));
  } catch (err) {
    throw new CliError(`${what}: ${(err as Error).message}\n${usage}`, 2);
  }
}
