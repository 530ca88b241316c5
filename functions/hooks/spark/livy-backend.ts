// Spark jobs through a Livy batch REST API: Azure Synapse's
// (https://{ws}.dev.azuresynapse.net/livyApi/versions/2019-11-01-preview/sparkPools/{pool}/batches),
// which Fabric and HDInsight also speak, with an Entra token from the app's managed identity.
// Create a batch, read its state and log, delete it to cancel. Secrets reach the job as a file
// only it reads: its path goes in the job's environment (YARN's appMasterEnv), never its contents.
import { randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { accessToken } from "../azure-credential";
import type { SparkBackend, SparkJobHandle, SparkJobSpec, SparkJobStatus } from "./spark-job";

export const SYNAPSE_SCOPE = "https://dev.azuresynapse.net/.default";

export interface LivyOptions {
  /** The pool's base URL; `/batches` is appended. */
  url: string;
  /** Entra scope of the token, or null for a server without auth. */
  scope: string | null;
  /** Where per-job secret files are written (a path the cluster reads and nobody else can). */
  secretsDir?: string;
  /** Defaults for every job (Synapse requires driver and executor sizes). */
  defaults: Partial<Pick<SparkJobSpec, "driverMemory" | "driverCores" | "executorMemory" | "executorCores" | "numExecutors">>;
  conf: Record<string, string>;
}

type LivyHandle = Extract<SparkJobHandle, { backend: "livy" }>;

/** Livy's batch states mapped to ours; anything else is still going. */
function mapState(state: string): SparkJobStatus {
  switch (state) {
    case "success": return { state: "success", detail: state };
    case "killed": return { state: "cancelled", detail: state };
    case "dead":
    case "error": return { state: "failed", detail: `Livy batch state '${state}'` };
    default: return { state: "running", detail: state };
  }
}

export function livyBackend(o: LivyOptions): SparkBackend {
  const base = o.url.replace(/\/+$/, "").replace(/\/batches$/, "");
  const request = async (method: string, rel: string, body?: unknown): Promise<unknown> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    if (o.scope) headers.authorization = `Bearer ${(await accessToken(o.scope, `Spark Livy (${base})`)).token}`;
    let res: Response;
    try {
      res = await fetch(`${base}${rel}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (err) {
      throw new Error(`Livy at ${base} is unreachable: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ""}`);
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`Livy ${method} ${rel} answered ${res.status}: ${text.slice(0, 300)}`);
    return text ? JSON.parse(text) : {};
  };
  const livy = (h: SparkJobHandle): LivyHandle => {
    if (h.backend !== "livy") throw new Error(`A ${h.backend} job handle was given to the Livy backend.`);
    return h;
  };
  const removeSecrets = (h: LivyHandle): void => {
    if (h.secretsFile) fs.rmSync(h.secretsFile, { force: true });
  };
  const backend: SparkBackend = {
    async submit(spec) {
      const conf: Record<string, string> = { ...o.conf, ...spec.conf };
      if (spec.packages.length) conf["spark.jars.packages"] = spec.packages.join(",");
      for (const [k, v] of Object.entries(spec.envVars)) {
        conf[`spark.yarn.appMasterEnv.${k}`] = v;
        conf[`spark.executorEnv.${k}`] = v;
      }
      let secretsFile: string | undefined;
      if (Object.keys(spec.secretEnv).length) {
        if (!o.secretsDir) throw new Error("This job uses connections, and the Livy connection names no secrets_dir to hand them over in.");
        fs.mkdirSync(o.secretsDir, { recursive: true, mode: 0o700 });
        secretsFile = path.join(o.secretsDir, `${randomUUID()}.json`);
        fs.writeFileSync(secretsFile, JSON.stringify(spec.secretEnv), { mode: 0o600 });
        conf["spark.yarn.appMasterEnv.AZFLOW_SECRETS_FILE"] = secretsFile;
      }
      const sizes = { ...o.defaults, ...Object.fromEntries(Object.entries({
        driverMemory: spec.driverMemory, driverCores: spec.driverCores, executorMemory: spec.executorMemory,
        executorCores: spec.executorCores, numExecutors: spec.numExecutors,
      }).filter(([, v]) => v !== undefined)) };
      const body = {
        file: spec.application, args: spec.applicationArgs, name: spec.name, conf,
        jars: spec.jars, pyFiles: spec.pyFiles, files: spec.files, ...sizes,
      };
      try {
        const created = (await request("POST", "/batches", body)) as { id?: number };
        if (typeof created.id !== "number") throw new Error(`Livy did not return a batch id: ${JSON.stringify(created).slice(0, 200)}`);
        return { backend: "livy", batchId: created.id, url: base, secretsFile, submittedAt: new Date().toISOString() };
      } catch (err) {
        if (secretsFile) fs.rmSync(secretsFile, { force: true });
        throw err;
      }
    },
    async status(handle) {
      const h = livy(handle);
      const body = (await request("GET", `/batches/${h.batchId}/state`)) as { state?: string };
      const status = mapState(String(body.state));
      if (status.state !== "running") removeSecrets(h);
      return status;
    },
    async logTail(handle, lines) {
      const h = livy(handle);
      const head = (await request("GET", `/batches/${h.batchId}/log?from=0&size=0`)) as { total?: number };
      const total = typeof head.total === "number" ? head.total : lines;
      const page = (await request("GET", `/batches/${h.batchId}/log?from=${Math.max(0, total - lines)}&size=${lines}`)) as { log?: string[] };
      return (page.log ?? []).slice(-lines);
    },
    async cancel(handle) {
      const h = livy(handle);
      const before = await backend.status(h);
      if (before.state !== "running") return before;
      await request("DELETE", `/batches/${h.batchId}`);
      removeSecrets(h);
      return { state: "cancelled", detail: "deleted" };
    },
  };
  return backend;
}
