// The settings the app needs to reach the local services: the Functions storage (Azurite) and
// the default connections of the shipped DAGs. Applied only where neither the environment nor
// local.settings.json sets a value, so a user's own settings always win.
import * as path from "node:path";
import { azuriteConnectionString } from "./azurite";
import { kafkaBrokers } from "./kafka";
import { sparkJars, sparkSubmitPath, venvPython } from "./spark";
import type { ServiceSettings } from "./settings";

export function localAppSettings(s: ServiceSettings): Record<string, string> {
  const storage = azuriteConnectionString(s);
  const pg = s.postgres;
  const pgUri = `postgres://${encodeURIComponent(pg.user)}:${encodeURIComponent(pg.password)}@${s.host}:${pg.port}/${encodeURIComponent(pg.database)}`;
  return {
    AzureWebJobsStorage: storage,
    // host.json names the task hub through this setting; Azure sets it from the Bicep.
    AZFLOW_TASK_HUB: "azflow",
    AIRFLOW_CONN_POSTGRES_DEFAULT: pgUri,
    AIRFLOW_CONN_WASB_DEFAULT: JSON.stringify({ conn_type: "wasb", extra: { connection_string: storage } }),
    AIRFLOW_CONN_KAFKA_DEFAULT: JSON.stringify({ conn_type: "kafka", extra: { "bootstrap.servers": kafkaBrokers(s).join(",") } }),
    // spark-submit from the project venv, the Maven cache's jars on every job, driver logs under .local.
    AIRFLOW_CONN_SPARK_DEFAULT: JSON.stringify({
      conn_type: "spark",
      host: s.spark.master,
      extra: {
        spark_submit: sparkSubmitPath(s),
        python: venvPython(s),
        jars: sparkJars(s).join(","),
        log_dir: path.join(s.localDir, "spark-jobs"),
        conf: { "spark.driver.host": s.host, "spark.driver.bindAddress": s.host, "spark.ui.enabled": "false", "spark.sql.shuffle.partitions": "4" },
      },
    }),
  };
}

/** Sets each local default that is still unset; returns the names it set. */
export function applyLocalAppSettings(s: ServiceSettings, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  for (const [name, value] of Object.entries(localAppSettings(s))) {
    if (env[name] === undefined || env[name] === "") {
      env[name] = value;
      applied.push(name);
    }
  }
  return applied;
}
