// `azflow host`: run the app locally as a long-running host (HTTP, timers, blob triggers,
// orchestrations), after starting the local services its storage and its DAGs' connections need.
// `--list` prints the functions the app registers and exits.
import { CliError } from "../cli-error";
import { APP, NO_START } from "../common-options";
import { intOption, parseArgs, withHelp, type CommandSpec } from "../parse-args";
import { describeFunction, readHostConfig } from "../../devhost";
import { HostPortError, startHost } from "../../devhost/host";
import { StateDirLockedError } from "../../devhost/state-lock";
import { loadLocalApp } from "../../dagrun/local-app";
import { startCommandServices } from "../../dagrun/command-services";

const SPEC: CommandSpec = {
  command: "host",
  summary: "Run the app locally as a long-running host, as func start would: HTTP routes, timers, blob triggers and orchestrations, until Ctrl-C.",
  positionals: [],
  options: [
    { name: "--list", description: "print every registered function with its trigger and route/schedule/path, then exit" },
    { name: "--port", value: "N", description: "HTTP port (default 7071, like func start; 0 picks a free one)" },
    { ...APP, description: "the app directory (its package.json main is loaded) or an entry file; default: the current directory" },
    { name: "--state-dir", value: "DIR", description: "orchestration state and blob receipts (default <app>/.local/devhost)" },
    { name: "--blob-poll-ms", value: "N", description: "how often blob triggers poll the storage, in milliseconds" },
    { name: "--no-persist", description: "keep orchestration state in memory only" },
    NO_START,
  ],
};

export async function run(args: string[]): Promise<number> {
  return withHelp(async () => {
    const parsed = parseArgs(args, SPEC);
    const port = intOption(parsed, SPEC, "--port", 7071);
    if (port > 65535) throw new CliError(`--port must be 0-65535 (0 picks a free one), got ${port}.`, 2);
    const blobPollMs = parsed.options.has("--blob-poll-ms") ? intOption(parsed, SPEC, "--blob-poll-ms", 0) : undefined;
    // With the local services' defaults, so `azflow host` just works.
    const app = loadLocalApp(parsed.options.get(APP.name));
    const config = readHostConfig(app.appRoot);
    const functions = app.registry.list();
    if (parsed.flags.has("--list")) {
      for (const fn of functions) console.log(describeFunction(fn, config.routePrefix));
      console.log(`${functions.length} function(s) from ${app.entryPath}`);
      return 0;
    }
    if (!parsed.flags.has(NO_START.name)) {
      // The host serves every DAG: what any of their connections points at is started.
      const { listDags } = await import("../../../functions/dag-registry");
      await startCommandServices(listDags().map((dag) => ({ dag })), { listDags });
    }
    let host: Awaited<ReturnType<typeof startHost>>;
    try {
      host = await startHost({ app, port, stateDir: parsed.options.get("--state-dir"), persist: !parsed.flags.has("--no-persist"), blobPollIntervalMs: blobPollMs });
    } catch (err) {
      // A second host on the same state, or a port it cannot have: one line, no stack.
      if (err instanceof StateDirLockedError || err instanceof HostPortError) throw new CliError(err.message, 1);
      throw err;
    }
    console.log(`azflow host listening on ${host.origin} (${functions.length} functions, task hub ${host.config.hubName}${host.resumed ? `, resumed ${host.resumed} orchestration(s)` : ""})`);
    for (const fn of functions) console.log(`  ${describeFunction(fn, config.routePrefix)}`);
    console.log(`  Durable API: ${host.origin}/runtime/webhooks/durabletask/instances`);
    console.log(`  Web UI: ${host.origin}/${config.routePrefix ? `${config.routePrefix}/` : ""}ui/`);
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    await host.close();
    return 0;
  });
}
