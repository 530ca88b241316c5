// `azflow dags <list|test|backfill|trigger|rerun>`: each subcommand lives in tools/cli/dags/.
import { CliError } from "../cli-error";

type Subcommand = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const SUBCOMMANDS: Record<string, Subcommand> = {
  list: { summary: "the app's DAGs: schedule, next run, tags, paused", load: () => import("../dags/list") },
  test: { summary: "one run in-process on the local runtime, with a table of task states", load: () => import("../dags/test") },
  backfill: { summary: "a run per schedule point in [start, end], on the local runtime", load: () => import("../dags/backfill") },
  trigger: { summary: "create a run through a running host's REST API", load: () => import("../dags/trigger") },
  rerun: { summary: "run a finished run's failed tasks again, reusing the rest", load: () => import("../dags/rerun") },
};

export function usage(): string {
  return ["usage: azflow dags <subcommand> [args]   (azflow dags <subcommand> --help for its options)", "",
    ...Object.entries(SUBCOMMANDS).map(([name, s]) => `  ${name.padEnd(10)} ${s.summary}`)].join("\n");
}

export async function run(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return 0;
  }
  const sub = name ? SUBCOMMANDS[name] : undefined;
  if (!sub) throw new CliError(name ? `unknown dags subcommand '${name}'.\n${usage()}` : usage(), 2);
  return (await sub.load()).run(rest);
}
