// Loading the app as `func start` would, on this machine: local.settings.json first, then the
// local services' defaults for whatever it leaves unset, and only then the entry, because the
// entry reads settings as it registers its functions.
import { loadApp, type LoadedApp, loadLocalSettings, resolveEntry } from "../devhost";
import { applyLocalAppSettings } from "../services/app-env";
import { serviceSettings } from "../services/settings";

export function loadLocalApp(entry?: string): LoadedApp {
  loadLocalSettings(resolveEntry(entry).appRoot);
  applyLocalAppSettings(serviceSettings());
  return loadApp(entry);
}
