// `azflow tasks test <dag_id> <task_id> [logical_date]`.
import { CliError } from "../cli-error";

const USAGE = "usage: azflow tasks test <dag_id> <task_id> [logical_date] [--map-index N] [--app PATH]";

export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(USAGE);
    return 0;
  }
  if (name !== "test") throw new CliError(name ? `unknown tasks subcommand '${name}'.\n${USAGE}` : USAGE, 2);
  return (await import("../tasks/test")).run(rest);
}
