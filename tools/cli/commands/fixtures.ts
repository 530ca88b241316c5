// `azflow fixtures`: the local stand-in for the seed DAGs' internet sources (randomuser.me, the
// NYC TLC trip files, the song and event bucket) in the foreground, with the connection settings
// that point the DAGs at it. Stops on Ctrl-C.
import { intOption, parseArgs, withHelp, type CommandSpec } from "../parse-args";
import { startFixtureServer } from "../../fixtures";

const SPEC: CommandSpec = {
  command: "fixtures",
  summary: "Serve the local stand-in for randomuser.me, the NYC TLC trip files and the song data, until Ctrl-C.",
  positionals: [],
  options: [
    { name: "--port", value: "N", description: "port on 127.0.0.1 (default 0: a free one)" },
    { name: "--seed", value: "S", description: "generator seed: the same seed serves the same bytes (default azflow)" },
    { name: "--taxi-rows", value: "N", description: "trips per monthly file (default 2000)" },
    { name: "--songs", value: "N", description: "songs in the catalog (default 60)" },
  ],
  notes: ["It prints the AIRFLOW_CONN_* settings that point the seed DAGs at it."],
};

export function run(args: string[]): Promise<number> {
  return withHelp(() => serve(args));
}

async function serve(args: string[]): Promise<number> {
  const parsed = parseArgs(args, SPEC);
  const server = await startFixtureServer({
    port: intOption(parsed, SPEC, "--port", 0),
    seed: parsed.options.get("--seed"),
    taxiRows: intOption(parsed, SPEC, "--taxi-rows", 2000),
    songs: intOption(parsed, SPEC, "--songs", 60),
  });
  console.log(`Serving the local stand-in for randomuser.me, the NYC TLC trip files and the song data at ${server.url} (seed ${server.seed}).`);
  console.log("Point the DAGs' connections at it (in the shell that runs azflow, or in local.settings.json):");
  for (const [id, url] of Object.entries(server.connections())) {
    console.log(`export AIRFLOW_CONN_${id.toUpperCase()}='${JSON.stringify({ conn_type: "http", host: url })}'`);
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await server.close();
  return 0;
}
