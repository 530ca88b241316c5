// Where the local services listen and keep their files. Every value comes from a setting with a
// documented default (local.settings.example.json), so two checkouts can run side by side.
import * as path from "node:path";
import { Env, SettingsError, readBool, readInt, readPort, readString } from "../../functions/config";

export interface ServiceSettings {
  /** Root of everything local: data, logs, caches, pid files. */
  localDir: string;
  logDir: string;
  cacheDir: string;
  /** pid files of the services `azflow services up` started. */
  runDir: string;
  projectRoot: string;
  host: string;
  azurite: { blobPort: number; queuePort: number; tablePort: number; dir: string; inMemory: boolean };
  postgres: { port: number; user: string; password: string; database: string; dir: string };
  kafka: { port: number; controllerPort: number; heap: string; dir: string; numPartitions: number; jarsDir: string };
  spark: { master: string; venv: string; python: string; requirements: string; jarsDir: string };
  /** The standalone cluster of `services up spark-cluster`: one master and one worker. */
  sparkCluster: { port: number; uiPort: number; workerUiPort: number; workerCores: number; workerMemory: string; dir: string };
}

export function serviceSettings(env: Env = process.env, projectRoot = defaultProjectRoot()): ServiceSettings {
  const localDir = path.resolve(projectRoot, readString(env, "AZFLOW_LOCAL_DIR", ".local"));
  const cacheDir = path.resolve(projectRoot, readString(env, "AZFLOW_CACHE_DIR", path.join(localDir, "cache")));
  return {
    localDir,
    logDir: path.join(localDir, "logs"),
    cacheDir,
    runDir: path.join(localDir, "run"),
    projectRoot,
    host: "127.0.0.1",
    azurite: {
      blobPort: readPort(env, "AZFLOW_AZURITE_BLOB_PORT", 10000),
      queuePort: readPort(env, "AZFLOW_AZURITE_QUEUE_PORT", 10001),
      tablePort: readPort(env, "AZFLOW_AZURITE_TABLE_PORT", 10002),
      dir: path.join(localDir, "azurite"),
      inMemory: readBool(env, "AZFLOW_AZURITE_IN_MEMORY", false),
    },
    postgres: {
      port: readPort(env, "AZFLOW_POSTGRES_PORT", 55432),
      user: readString(env, "AZFLOW_POSTGRES_USER", "azflow"),
      password: readString(env, "AZFLOW_POSTGRES_PASSWORD", "azflow"),
      database: readString(env, "AZFLOW_POSTGRES_DB", "azflow"),
      dir: path.join(localDir, "postgres"),
    },
    kafka: {
      port: readPort(env, "AZFLOW_KAFKA_PORT", 19092),
      controllerPort: readPort(env, "AZFLOW_KAFKA_CONTROLLER_PORT", 19093),
      heap: readJvmSize(env, "AZFLOW_KAFKA_HEAP", "512m"),
      dir: path.join(localDir, "kafka"),
      numPartitions: readInt(env, "AZFLOW_KAFKA_PARTITIONS", 1, 1, 1000),
      jarsDir: path.join(cacheDir, "kafka-jars"),
    },
    spark: {
      master: readString(env, "AZFLOW_SPARK_MASTER", "local[2]"),
      venv: path.join(localDir, "venv"),
      python: readString(env, "AZFLOW_PYTHON", "python3"),
      requirements: path.join(projectRoot, "jobs", "requirements.txt"),
      jarsDir: path.join(cacheDir, "spark-jars"),
    },
    sparkCluster: {
      port: readPort(env, "AZFLOW_SPARK_CLUSTER_PORT", 7077),
      uiPort: readPort(env, "AZFLOW_SPARK_CLUSTER_UI_PORT", 18080),
      workerUiPort: readPort(env, "AZFLOW_SPARK_WORKER_UI_PORT", 18081),
      workerCores: readInt(env, "AZFLOW_SPARK_WORKER_CORES", 2, 1, 64),
      workerMemory: readJvmSize(env, "AZFLOW_SPARK_WORKER_MEMORY", "1g"),
      dir: path.join(localDir, "spark-cluster"),
    },
  };
}

/** A JVM memory size as -Xmx takes it (512m, 1g); checked here so a typo fails before Java starts. */
function readJvmSize(env: Env, name: string, fallback: string): string {
  const value = readString(env, name, fallback);
  if (!/^[1-9]\d*[kKmMgG]$/.test(value)) {
    throw new SettingsError(`Setting ${name} must be a JVM size such as 512m or 1g, got '${value}'.`);
  }
  return value;
}

/** The checkout root: two levels above this file in both the source and the built tree. */
export function defaultProjectRoot(): string {
  const up = path.resolve(__dirname, "..", "..");
  return path.basename(up) === "dist" ? path.dirname(up) : up;
}
