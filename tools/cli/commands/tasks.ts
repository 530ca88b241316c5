// `azflow tasks test <dag_id> <task_id> [logical_date]`.
import { runGroup, type CommandGroup } from "../command-group";

const TASKS: CommandGroup = {
  command: "tasks",
  summary: "One task of a DAG.",
  subcommands: {
    test: { summary: "run one task in-process, ignoring its dependencies and recording nothing", load: () => import("../tasks/test") },
  },
};

export function run(args: string[]): Promise<number> {
  return runGroup(TASKS, args);
}
