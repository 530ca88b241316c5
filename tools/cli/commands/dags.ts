// `azflow dags <list|test|backfill|trigger|rerun>`: each subcommand lives in tools/cli/dags/.
import { runGroup, type CommandGroup } from "../command-group";

const DAGS: CommandGroup = {
  command: "dags",
  summary: "The app's DAGs: list them, run them in this process, or trigger them on a running host.",
  subcommands: {
    list: { summary: "the app's DAGs: schedule, next run, tags, paused", load: () => import("../dags/list") },
    test: { summary: "one run in-process on the local runtime, with its task logs and a table of task states", load: () => import("../dags/test") },
    backfill: { summary: "a run per schedule point in [start, end], on the local runtime", load: () => import("../dags/backfill") },
    trigger: { summary: "create a run through a running host's REST API", load: () => import("../dags/trigger") },
    rerun: { summary: "run a finished run's failed tasks again, reusing the rest", load: () => import("../dags/rerun") },
  },
};

export function run(args: string[]): Promise<number> {
  return runGroup(DAGS, args);
}
