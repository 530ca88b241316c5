// The app in-process on the local runtime, ready to run DAGs: settings as `func start` would
// load them plus the local services' defaults, the Durable engine, and the Durable HTTP API on a
// loopback port so activities that hold a durable client (TriggerDagRun) work unchanged.
// `dags test`, `tasks test`, backfill, the demo and the DAG tests all run through this.
import { DurableEngine, LoadedApp, startHost } from "../devhost";
import type { RunLedger } from "../../functions/ledger/run-ledger";
import type { OrchestrationStarter } from "../../functions/runs/orchestration-starter";
import { loadLocalApp } from "./local-app";

export interface LocalDagRuntime {
  app: LoadedApp;
  engine: DurableEngine;
  ledger: RunLedger;
  starter: OrchestrationStarter;
  /** The loopback origin of the Durable HTTP API and the app's HTTP functions. */
  origin: string;
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
  const app = loadLocalApp(options.entry);
  // The host without its triggers: the engine and the Durable HTTP API on a free loopback port.
  const host = await startHost({
    app, port: 0, mode: options.mode ?? "test", persist: false, timers: false, blobs: false,
    log: options.log ?? (() => undefined),
  });
  // Loaded after the settings are in place: the ledger reads AzureWebJobsStorage once.
  const { appRunLedger } = await import("../../functions/runs/app-run-ledger");
  const { engine } = host;
  return {
    app,
    engine,
    ledger: appRunLedger(),
    starter: {
      async start(orchestration, instanceId, input, queuedAt) {
        const existing = engine.getStatus(instanceId);
        if (existing && existing.createdTime.getTime() >= Date.parse(queuedAt)) return "exists";
        // An older finished instance under the same id (a deleted run's) is replaced, as Durable does.
        engine.purge(instanceId);
        await engine.start(orchestration, input, instanceId);
        return "started";
      },
      async restart(orchestration, instanceId, input) {
        engine.purge(instanceId);
        await engine.start(orchestration, input, instanceId);
      },
    },
    origin: host.origin,
    close: () => host.close(),
  };
}
