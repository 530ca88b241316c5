// `azflow host`: run the app locally as a long-running host (HTTP, timers, blob triggers,
// orchestrations). `--list` prints the functions the app registers and exits.
import { CliError } from "../cli-error";
import { describeFunction, readHostConfig } from "../../devhost";
import { HostPortError, startHost } from "../../devhost/host";
import { StateDirLockedError } from "../../devhost/state-lock";
import { loadLocalApp } from "../../dagrun/local-app";

const USAGE = `usage: azflow host [--list] [--port N] [--app <dir|entry>] [--state-dir DIR] [--blob-poll-ms N] [--no-persist]
  --list          print every registered function with its trigger and route/schedule/path, then exit
  --port N        HTTP port (default 7071, like func start; 0 picks a free one)
  --app PATH      the app directory (its package.json main is loaded) or an entry file; default: cwd
  --state-dir DIR orchestration state and blob receipts (default <app>/.local/devhost)
  --no-persist    keep orchestration state in memory only`;

interface HostArgs {
  list: boolean;
  port: number;
  app?: string;
  stateDir?: string;
  blobPollMs?: number;
  persist: boolean;
}

function parseArgs(args: string[]): HostArgs {
  const out: HostArgs = { list: false, port: 7071, persist: true };
  const value = (i: number, flag: string) => {
    const v = args[i + 1];
    if (v === undefined || v.startsWith("--")) throw new CliError(`${flag} needs a value.\n${USAGE}`, 2);
    return v;
  };
  const number = (text: string, flag: string) => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < 0) throw new CliError(`${flag} must be a non-negative integer, got '${text}'.`, 2);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--list") out.list = true;
    else if (a === "--no-persist") out.persist = false;
    else if (a === "--port") {
      out.port = number(value(i++, a), a);
      if (out.port > 65535) throw new CliError(`--port must be 0-65535 (0 picks a free one), got ${out.port}.`, 2);
    }
    else if (a === "--app") out.app = value(i++, a);
    else if (a === "--state-dir") out.stateDir = value(i++, a);
    else if (a === "--blob-poll-ms") out.blobPollMs = number(value(i++, a), a);
    else if (a === "--help" || a === "-h") throw new CliError(USAGE, 0);
    else throw new CliError(`unknown option '${a}'.\n${USAGE}`, 2);
  }
  return out;
}

export async function run(args: string[]): Promise<number> {
  let parsed: HostArgs;
  try {
    parsed = parseArgs(args);
  } catch (err) {
    if (err instanceof CliError && err.exitCode === 0) {
      console.log(err.message);
      return 0;
    }
    throw err;
  }
  // With the local services' defaults, so `services up` + `azflow host` just works.
  const app = loadLocalApp(parsed.app);
  const config = readHostConfig(app.appRoot);
  const functions = app.registry.list();
  if (parsed.list) {
    for (const fn of functions) console.log(describeFunction(fn, config.routePrefix));
    console.log(`${functions.length} function(s) from ${app.entryPath}`);
    return 0;
  }
  let host: Awaited<ReturnType<typeof startHost>>;
  try {
    host = await startHost({ app, port: parsed.port, stateDir: parsed.stateDir, persist: parsed.persist, blobPollIntervalMs: parsed.blobPollMs });
  } catch (err) {
    // A second host on the same state, or a port it cannot have: one line, no stack.
    if (err instanceof StateDirLockedError || err instanceof HostPortError) throw new CliError(err.message, 1);
    throw err;
  }
  console.log(`azflow host listening on ${host.origin} (${functions.length} functions, task hub ${host.config.hubName}${host.resumed ? `, resumed ${host.resumed} orchestration(s)` : ""})`);
  for (const fn of functions) console.log(`  ${describeFunction(fn, config.routePrefix)}`);
  console.log(`  Durable API: ${host.origin}/runtime/webhooks/durabletask/instances`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await host.close();
  return 0;
}
