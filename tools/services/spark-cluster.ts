// A real Spark standalone cluster for jobs that need one (`spark://127.0.0.1:7077`): one master
// and one worker, both from the project venv's pyspark (its bin/spark-class), with bounded memory
// (daemons 256 MB each, the worker offering AZFLOW_SPARK_WORKER_MEMORY to executors). Started
// only when named: `azflow services up spark-cluster`.
import * as fs from "node:fs";
import * as path from "node:path";
import { spawnDetached } from "./detached";
import type { LocalService } from "./service";
import type { ServiceSettings } from "./settings";
import { lastLine } from "./run-logged";
import { runSparkSubmit, spark } from "./spark";

const MARKER = "azflow-spark-cluster";

// Both daemons in one process group under one shell, so `down` stops them together.
const SCRIPT = [
  '"$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.master.Master --host "$HOST" --port "$PORT" --webui-port "$UI_PORT" &',
  '"$SPARK_HOME/bin/spark-class" org.apache.spark.deploy.worker.Worker --host "$HOST" --cores "$CORES" --memory "$MEMORY" --webui-port "$WORKER_UI_PORT" --work-dir "$WORK_DIR" "spark://$HOST:$PORT" &',
  "wait",
].join("\n");

export function sparkClusterMaster(s: ServiceSettings): string {
  return `spark://${s.host}:${s.sparkCluster.port}`;
}

function pysparkHome(s: ServiceSettings): string {
  const lib = path.join(s.spark.venv, "lib");
  const py = fs.readdirSync(lib).find((d) => d.startsWith("python"));
  if (!py) throw new Error(`no Python library folder in ${lib}`);
  return path.join(lib, py, "site-packages", "pyspark");
}

async function masterState(s: ServiceSettings): Promise<{ status: string; aliveworkers: number }> {
  const res = await fetch(`http://${s.host}:${s.sparkCluster.uiPort}/json/`, { signal: AbortSignal.timeout(3000) });
  if (!res.ok) throw new Error(`master UI answered ${res.status}`);
  return (await res.json()) as { status: string; aliveworkers: number };
}

const PROBE = `
from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("azflow-cluster-status").getOrCreate()
n = spark.range(1, 1001).selectExpr("sum(id) AS s").collect()[0].s
print("AZFLOW_CLUSTER_PROBE sum=%d master=%s" % (n, spark.sparkContext.master))
spark.stop()
`;

export const sparkCluster: LocalService = {
  name: "spark-cluster",
  onDemand: true,
  endpoint: sparkClusterMaster,
  ports: (s) => [
    { port: s.sparkCluster.port, setting: "AZFLOW_SPARK_CLUSTER_PORT" },
    { port: s.sparkCluster.uiPort, setting: "AZFLOW_SPARK_CLUSTER_UI_PORT" },
    { port: s.sparkCluster.workerUiPort, setting: "AZFLOW_SPARK_WORKER_UI_PORT" },
  ],
  logFile: (s) => path.join(s.logDir, "spark-cluster.log"),
  async prepare(s) {
    await spark.prepare(s);
    fs.mkdirSync(path.join(s.sparkCluster.dir, "work"), { recursive: true });
  },
  async launch(s) {
    const c = s.sparkCluster;
    const python = path.join(s.spark.venv, "bin", "python");
    const pid = await spawnDetached({
      command: "/bin/bash",
      args: ["-c", SCRIPT, MARKER],
      logFile: this.logFile(s),
      cwd: c.dir,
      env: {
        ...process.env,
        SPARK_HOME: pysparkHome(s), HOST: s.host, PORT: String(c.port), UI_PORT: String(c.uiPort), WORKER_UI_PORT: String(c.workerUiPort),
        CORES: String(c.workerCores), MEMORY: c.workerMemory, WORK_DIR: path.join(c.dir, "work"),
        SPARK_DAEMON_MEMORY: "256m", SPARK_LOCAL_IP: s.host, SPARK_LOG_DIR: s.logDir, SPARK_NO_DAEMONIZE: "1",
        PYSPARK_PYTHON: python,
      },
    });
    return { pid, marker: MARKER };
  },
  async ping(s) {
    const state = await masterState(s);
    if (state.status !== "ALIVE" || state.aliveworkers < 1) throw new Error(`master ${state.status}, ${state.aliveworkers} worker(s) alive`);
  },
  async probe(s) {
    const script = path.join(s.sparkCluster.dir, "status_probe.py");
    fs.writeFileSync(script, PROBE);
    const run = await runSparkSubmit(s, { app: script, name: "azflow-cluster-status", master: sparkClusterMaster(s), conf: { "spark.cores.max": "1", "spark.executor.memory": "512m" } }, 180_000);
    const match = /AZFLOW_CLUSTER_PROBE sum=(\d+) master=(\S+)/.exec(run.stdout);
    if (run.code !== 0 || !match) throw new Error(`spark-submit to the cluster exited ${run.code}: ${lastLine(run.stderr).slice(0, 200)}`);
    return `1 worker; range(1..1000) sum=${match[1]} on ${match[2]}`;
  },
  readyTimeoutMs: 90_000,
  stop: { signal: "SIGTERM", leaderOnly: false, graceMs: 15_000 },
};
