// `azflow fixtures`: the local stand-in for the seed DAGs' internet sources (randomuser.me, the
// NYC TLC trip files, the song and event bucket) in the foreground, with the connection settings
// that point the DAGs at it. Stops on Ctrl-C.
import { CliError } from "../cli-error";
import { startFixtureServer } from "../../fixtures";

const USAGE = `usage: azflow fixtures [--port N] [--seed S] [--taxi-rows N] [--songs N]
  --port N        port on 127.0.0.1 (default 0: a free one)
  --seed S        generator seed: the same seed serves the same bytes (default azflow)
  --taxi-rows N   trips per monthly file (default 2000)
  --songs N       songs in the catalog (default 60)`;

function intOption(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  if (at < 0) return fallback;
  const n = Number(args[at + 1]);
  if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} must be a non-negative integer.\n${USAGE}`, 2);
  return n;
}

export async function run(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(USAGE);
    return 0;
  }
  const known = new Set(["--port", "--seed", "--taxi-rows", "--songs"]);
  for (let i = 0; i < args.length; i += 2) if (!known.has(args[i])) throw new CliError(`unknown option '${args[i]}'.\n${USAGE}`, 2);
  const seedAt = args.indexOf("--seed");
  const server = await startFixtureServer({
    port: intOption(args, "--port", 0),
    seed: seedAt >= 0 ? args[seedAt + 1] : undefined,
    taxiRows: intOption(args, "--taxi-rows", 2000),
    songs: intOption(args, "--songs", 60),
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
