// A local server standing in for two Azure-only APIs: Synapse's Livy batch endpoint (the
// documented Livy batch API under the Synapse URL shape: create, get, state, log, delete) and the
// App Service managed-identity token endpoint that @azure/identity calls (IDENTITY_ENDPOINT /
// IDENTITY_HEADER). Like Livy on YARN, it runs each batch with spark-submit, here on the local
// master, giving the driver the environment the batch's spark.yarn.appMasterEnv.* conf names.
import { randomBytes } from "node:crypto";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { localSparkBackend, type LocalSparkOptions } from "../../functions/hooks/spark/local-backend";
import type { SparkJobHandle, SparkJobSpec } from "../../functions/hooks/spark/spark-job";

export const LIVY_PATH = "/livyApi/versions/2019-11-01-preview/sparkPools/pool1";

export interface LivyStandIn {
  url: string;
  /** The pool's Livy URL, Synapse-shaped. */
  livyUrl: string;
  identityEndpoint: string;
  identityHeader: string;
  /** Tokens minted, with what they were asked for. */
  tokens: { token: string; resource: string | null; clientId: string | null }[];
  /** Every Livy request: method, path, authorization header, body. */
  requests: { method: string; path: string; authorization: string | undefined; body: string }[];
  close(): Promise<void>;
}

interface Batch {
  id: number;
  name: string | null;
  handle: SparkJobHandle;
  state: string;
}

export async function startLivyStandIn(local: Omit<LocalSparkOptions, "master"> & { master?: string }): Promise<LivyStandIn> {
  const backend = localSparkBackend({ master: "local[1]", ...local });
  const batches = new Map<number, Batch>();
  const identityHeader = randomBytes(8).toString("hex");
  const tokens: LivyStandIn["tokens"] = [];
  const requests: LivyStandIn["requests"] = [];
  let nextId = 0;

  const livyState = async (b: Batch): Promise<string> => {
    if (["success", "dead", "killed"].includes(b.state)) return b.state;
    const s = await backend.status(b.handle);
    b.state = s.state === "running" ? "running" : s.state === "success" ? "success" : s.state === "cancelled" ? "killed" : "dead";
    return b.state;
  };

  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      void (async () => {
        const url = new URL(req.url ?? "/", "http://127.0.0.1");
        const json = (status: number, value: unknown): void => {
          res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
        };
        if (url.pathname === "/msi/token") {
          if (req.headers["x-identity-header"] !== identityHeader) return json(401, { error: "bad identity header" });
          const token = `token-${randomBytes(12).toString("hex")}`;
          tokens.push({ token, resource: url.searchParams.get("resource"), clientId: url.searchParams.get("client_id") });
          return json(200, {
            access_token: token, expires_on: String(Math.floor(Date.now() / 1000) + 3600), resource: url.searchParams.get("resource"),
            token_type: "Bearer", client_id: url.searchParams.get("client_id"),
          });
        }
        if (!url.pathname.startsWith(LIVY_PATH)) return json(404, { msg: "not found" });
        requests.push({ method: req.method ?? "", path: url.pathname + url.search, authorization: req.headers.authorization, body });
        const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
        if (!bearer || !tokens.some((t) => t.token === bearer[1])) return json(401, { msg: "a valid Entra bearer token is required" });
        const rest = url.pathname.slice(LIVY_PATH.length);
        const m = /^\/batches(?:\/(\d+))?(\/state|\/log)?$/.exec(rest);
        if (!m) return json(404, { msg: "not found" });
        if (req.method === "POST" && !m[1]) {
          const b = JSON.parse(body) as Record<string, unknown>;
          if (typeof b.file !== "string") return json(400, { msg: "file is required" });
          const conf = (b.conf ?? {}) as Record<string, string>;
          const env: Record<string, string> = {};
          for (const [k, v] of Object.entries(conf)) if (k.startsWith("spark.yarn.appMasterEnv.")) env[k.slice("spark.yarn.appMasterEnv.".length)] = v;
          const spec: SparkJobSpec = {
            application: b.file, applicationArgs: (b.args as string[]) ?? [], name: (b.name as string) ?? "livy", conf,
            jars: (b.jars as string[]) ?? [], packages: [], pyFiles: (b.pyFiles as string[]) ?? [], files: (b.files as string[]) ?? [],
            driverMemory: b.driverMemory as string | undefined, envVars: env, secretEnv: {},
          };
          const handle = await backend.submit(spec);
          const batch: Batch = { id: nextId++, name: spec.name, handle, state: "starting" };
          batches.set(batch.id, batch);
          return json(201, { id: batch.id, name: batch.name, state: batch.state, appId: null, appInfo: {}, log: [] });
        }
        const batch = m[1] !== undefined ? batches.get(Number(m[1])) : undefined;
        if (!batch) return json(404, { msg: `Session '${m[1]}' not found.` });
        if (req.method === "GET" && m[2] === "/state") return json(200, { id: batch.id, state: await livyState(batch) });
        if (req.method === "GET" && m[2] === "/log") {
          const lines = await backend.logTail(batch.handle, 100_000);
          const from = Number(url.searchParams.get("from") ?? 0);
          const size = Number(url.searchParams.get("size") ?? 100);
          return json(200, { id: batch.id, from, total: lines.length, log: lines.slice(from, from + size) });
        }
        if (req.method === "GET" && !m[2]) return json(200, { id: batch.id, name: batch.name, state: await livyState(batch), appId: null, appInfo: {}, log: [] });
        if (req.method === "DELETE" && !m[2]) {
          await backend.cancel(batch.handle);
          batch.state = "killed";
          return json(200, { msg: "deleted" });
        }
        return json(405, { msg: "method not allowed" });
      })().catch((err: Error) => res.writeHead(500).end(err.message));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  return {
    url, livyUrl: `${url}${LIVY_PATH}`, identityEndpoint: `${url}/msi/token`, identityHeader, tokens, requests,
    async close() {
      for (const b of batches.values()) await backend.cancel(b.handle).catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
