// The app in-process on the local runtime, ready to run DAGs: settings as `func start` would
// load them plus the local services' defaults, the Durable engine, and the Durable HTTP API on a
// loopback port so activities that hold a durable client (TriggerDagRun) work unchanged.
// `dags test`, `tasks test`, backfill, the demo and the DAG tests all run through this.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { createEngine, DurableEngine, DurableHttpApi, loadApp, LoadedApp, loadLocalSettings, readHostConfig, resolveEntry } from "../devhost";
import type { RunLedger } from "../../functions/ledger/run-ledger";
import type { OrchestrationStarter } from "../../functions/runs/orchestration-starter";
import { applyLocalAppSettings } from "../services/app-env";
import { serviceSettings } from "../services/settings";

export interface LocalDagRuntime {
  app: LoadedApp;
  engine: DurableEngine;
  ledger: RunLedger;
  starter: OrchestrationStarter;
  close(): Promise<void>;
}

export interface LocalDagRuntimeOptions {
  /** test: virtual clock (timers skip ahead) and a determinism check after each run. */
  mode?: "test" | "host";
  /** Where engine log lines go; default nowhere (the CLI prints its own summary). */
  log?: (line: string) => void;
  entry?: string;
}

export async function startLocalDagRuntime(options: LocalDagRuntimeOptions = {}): Promise<LocalDagRuntime> {
  // Settings before the app loads: local.settings.json first (as func start), then local defaults.
  loadLocalSettings(resolveEntry(options.entry).appRoot);
  applyLocalAppSettings(serviceSettings());
  const app = loadApp(options.entry);
  const config = readHostConfig(app.appRoot);
  const log = options.log ?? (() => undefined);
  const engine = createEngine({
    registry: app.registry,
    mode: options.mode ?? "test",
    appRoot: app.appRoot,
    maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
    functionTimeoutMs: config.functionTimeoutMs,
    log,
  });
  const api = new DurableHttpApi(engine, { taskHubName: config.hubName });
  let origin = "";
  const server = http.createServer((req, res) => {
    void api.handle(req, res, origin).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  // durable-functions builds client URLs from the host's name, as under func start.
  process.env.WEBSITE_HOSTNAME = `127.0.0.1:${port}`;
  engine.setDurableClientData(() => api.clientData(origin));
  // Loaded after the settings are in place: the ledger reads AzureWebJobsStorage once.
  const { appRunLedger } = await import("../../functions/runs/app-run-ledger");
  return {
    app,
    engine,
    ledger: appRunLedger(),
    starter: {
      async start(orchestration, instanceId, input) {
        // A finished instance under the same id (a rerun) is replaced, as Durable does.
        engine.purge(instanceId);
        await engine.start(orchestration, input, instanceId);
      },
    },
    async close() {
      engine.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
