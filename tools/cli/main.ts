#!/usr/bin/env node
// The azflow command. Each subcommand lives in commands/<name>.ts and exports `run(args)`.
import { CliError } from "./cli-error";

const commands: Record<string, { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> }> = {
  services: { summary: "up|down|status the local services", load: () => import("./commands/services") },
  connections: { summary: "import|export connections in Airflow's JSON export format", load: () => import("./commands/connections") },
  dags: { summary: "list|test|backfill|trigger|rerun DAGs (test, backfill and rerun run in-process)", load: () => import("./commands/dags") },
  tasks: { summary: "test one task of a DAG, ignoring dependencies and recording nothing", load: () => import("./commands/tasks") },
  fixtures: { summary: "serve the local stand-in for the seed DAGs' internet sources (randomuser, NYC TLC, song data)", load: () => import("./commands/fixtures") },
  host: { summary: "run the app locally: HTTP, timers, blob triggers, orchestrations (--list to print functions)", load: () => import("./commands/host") },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  azflow ${name.padEnd(12)} ${c.summary}`);
  return ["usage: azflow <command> [args]", "", ...lines].join("\n");
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`azflow: unknown command '${name}'.\n${usage()}`);
    return 2;
  }
  return (await command.load()).run(rest);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    // Expected failures carry their own one-line message and fix; anything else is a bug and keeps its stack.
    if (err instanceof CliError) console.error(`azflow: ${err.message}`);
    else console.error(err);
    // Usage errors exit 2, as Airflow's CLI (argparse) does.
    process.exitCode = err instanceof CliError ? err.exitCode : 1;
  },
);
