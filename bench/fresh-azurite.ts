// A fresh Azurite for a benchmark: in memory, on free ports, with a local dir of its own, for the
// benchmark's process and every process it starts (they read the same AZFLOW_* settings). Airflow's
// side of the comparison gets a new SQLite database per run; a developer's Azurite instead keeps
// every earlier run's rows and task logs and rewrites its whole metadata file every few seconds,
// which makes timings depend on how long it has been in use.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { localAppSettings } from "../tools/services/app-env";
import { azurite } from "../tools/services/azurite";
import { downService, upService } from "../tools/services/lifecycle";
import { freePort } from "../tools/services/ports";
import { serviceSettings } from "../tools/services/settings";

/** Starts the fresh Azurite and points this process's environment at it; returns the stop. */
export async function useFreshAzurite(): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-bench-"));
  const [blob, queue, table] = [await freePort(), await freePort(), await freePort()];
  Object.assign(process.env, {
    AZFLOW_CACHE_DIR: serviceSettings().cacheDir,
    AZFLOW_LOCAL_DIR: dir,
    AZFLOW_AZURITE_IN_MEMORY: "1",
    AZFLOW_AZURITE_BLOB_PORT: String(blob),
    AZFLOW_AZURITE_QUEUE_PORT: String(queue),
    AZFLOW_AZURITE_TABLE_PORT: String(table),
  });
  const s = serviceSettings();
  // Set outright: a local.settings.json naming the usual Azurite would otherwise win.
  const app = localAppSettings(s);
  process.env.AzureWebJobsStorage = app.AzureWebJobsStorage;
  process.env.AIRFLOW_CONN_WASB_DEFAULT = app.AIRFLOW_CONN_WASB_DEFAULT;
  await upService(azurite, s);
  return async () => {
    await downService(azurite, s);
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
