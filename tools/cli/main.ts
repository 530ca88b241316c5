#!/usr/bin/env node
// The azflow command. Each subcommand lives in commands/<name>.ts and exports `run(args)`.
import * as fs from "node:fs";
import * as path from "node:path";
import { CliError } from "./cli-error";
import { runGroup, type CommandGroup } from "./command-group";
import { defaultProjectRoot } from "../services/settings";

const AZFLOW: CommandGroup = {
  command: "",
  summary: "Airflow-style DAGs as an Azure Functions app; these commands run them on this machine.",
  subcommands: {
    services: { summary: "up|down|status the local services (Azurite, Postgres, Kafka, Spark)", load: () => import("./commands/services") },
    connections: { summary: "import|export connections in Airflow's JSON export format", load: () => import("./commands/connections") },
    dags: { summary: "list|test|backfill|trigger|rerun DAGs (test, backfill and rerun run in-process)", load: () => import("./commands/dags") },
    tasks: { summary: "test one task of a DAG, ignoring dependencies and recording nothing", load: () => import("./commands/tasks") },
    fixtures: { summary: "serve the local stand-in for the seed DAGs' internet sources (randomuser, NYC TLC, song data)", load: () => import("./commands/fixtures") },
    host: { summary: "run the app locally: HTTP, timers, blob triggers, orchestrations", load: () => import("./commands/host") },
    version: { summary: "print azflow's version (also --version)", load: async () => ({ run: async () => printVersion() }) },
  },
  notes: [
    "Commands that need the local services start the ones that are not running and leave them",
    "running for the next command; --no-start turns that off, 'azflow services down' stops them.",
  ],
};

function printVersion(): number {
  const pkg = JSON.parse(fs.readFileSync(path.join(defaultProjectRoot(), "package.json"), "utf8")) as { version: string };
  console.log(`azflow ${pkg.version}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) return printVersion();
  return runGroup(AZFLOW, argv);
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
