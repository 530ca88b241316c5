// A command made of subcommands (`azflow dags <list|test|...>`, and `azflow` itself): its help
// lists them one line each, `help <subcommand>` and `<subcommand> --help` print a subcommand's
// own help, and a mistyped name is a usage error naming the nearest one.
import { CliError } from "./cli-error";
import { nearestName } from "./nearest-name";
import { describedLines } from "./parse-args";

export interface Runnable {
  run(args: string[]): Promise<number>;
}

export interface Subcommand {
  summary: string;
  load: () => Promise<Runnable>;
}

export interface CommandGroup {
  /** As typed: "dags", or "" for azflow itself. */
  command: string;
  summary: string;
  subcommands: Readonly<Record<string, Subcommand>>;
  /** Lines after the subcommand list. */
  notes?: readonly string[];
}

function prefix(group: CommandGroup): string {
  return group.command ? `azflow ${group.command}` : "azflow";
}

export function groupHelp(group: CommandGroup): string {
  return [
    `usage: ${prefix(group)} <command> [args]   ('${prefix(group)} help <command>' or '${prefix(group)} <command> --help' for its options)`,
    "",
    group.summary,
    "",
    "commands:",
    ...describedLines(Object.entries(group.subcommands).map(([name, s]) => [name, s.summary])),
    ...(group.notes?.length ? ["", ...group.notes] : []),
  ].join("\n");
}

function unknownSubcommand(group: CommandGroup, name: string): CliError {
  const names = Object.keys(group.subcommands);
  const nearest = nearestName(name, names);
  const hint = nearest ? `did you mean '${nearest}'?` : `choose from ${names.join(", ")}`;
  return new CliError(`unknown command '${[group.command, name].filter(Boolean).join(" ")}'; ${hint} (see '${prefix(group)} --help')`, 2);
}

export async function runGroup(group: CommandGroup, args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined) {
    console.error(groupHelp(group));
    return 2;
  }
  if (name === "--help" || name === "-h" || (name === "help" && rest.length === 0)) {
    console.log(groupHelp(group));
    return 0;
  }
  if (name === "help") return runGroup(group, [...rest, "--help"]);
  if (name.startsWith("-")) throw new CliError(`unknown option '${name}'; options go after the command (see '${prefix(group)} --help')`, 2);
  const sub = Object.hasOwn(group.subcommands, name) ? group.subcommands[name] : undefined;
  if (!sub) throw unknownSubcommand(group, name);
  return (await sub.load()).run(rest);
}
