// `azflow host`: the app served like `func start` would serve it. HTTP triggers on the host's
// routes, the Durable HTTP API, timer triggers on their schedules, blob triggers by polling
// Azurite, and orchestrations in the engine with their state on disk, so a restarted host
// resumes running orchestrations from their history.
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { HttpRequest, HttpResponse, type HttpResponseInit } from "@azure/functions";
import { BlobPoller } from "./blob-poller";
import { DurableHttpApi } from "./client-api";
import { RealClock, VirtualClock } from "./engine/clock";
import { createEngine, type DurableEngine } from "./engine/engine";
import { FileInstanceStore, MemoryInstanceStore } from "./engine/instance-store";

import { readHostConfig, type HostConfig } from "./host-config";
import { buildRoutes, findRoute } from "./http-router";
import { invokeFunction, type LogSink } from "./invoke";
import type { LoadedApp } from "./load-app";
import { ReceiptStore } from "./receipts";
import { lockStateDir, type StateLock } from "./state-lock";
import type { RegisteredFunction } from "./registry";
import { TimerScheduler } from "./timer-scheduler";

export interface HostOptions {
  app: LoadedApp;
  /** 0 picks a free port. Default 7071, like func start. */
  port?: number;
  hostname?: string;
  /** Orchestration state and blob receipts; default <appRoot>/.local/devhost. */
  stateDir?: string;
  /** false keeps orchestration state in memory only. */
  persist?: boolean;
  /** "test" runs orchestrations on the virtual clock; triggers always use real time. */
  clock?: "real" | "virtual";
  /**
   * "test": the engine's test mode (virtual clock, time skipping while a caller waits, the
   * determinism check), for running DAGs in-process; default "host".
   */
  mode?: "host" | "test";
  blobPollIntervalMs?: number;
  hostConfig?: Partial<HostConfig>;
  /** Timer and blob triggers can be switched off (e.g. a test that only needs HTTP). */
  timers?: boolean;
  blobs?: boolean;
  log?: LogSink;
}

export interface RunningHost {
  origin: string;
  port: number;
  engine: DurableEngine;
  api: DurableHttpApi;
  config: HostConfig;
  /** Instances picked up from the state directory at start. */
  resumed: number;
  close(): Promise<void>;
}

/** Values from local.settings.json become environment variables, as func start does (env wins). */
export function loadLocalSettings(appRoot: string): void {
  const file = path.join(appRoot, "local.settings.json");
  if (!fs.existsSync(file)) return;
  const values = (JSON.parse(fs.readFileSync(file, "utf8")) as { Values?: Record<string, string> }).Values ?? {};
  for (const [k, v] of Object.entries(values)) if (process.env[k] === undefined) process.env[k] = String(v);
}

const HTTP_TRIGGER_METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);

/** The Functions host's default request body limit (its FUNCTIONS_REQUEST_BODY_SIZE_LIMIT setting). */
const DEFAULT_BODY_LIMIT = 104_857_600;

function bodyLimit(): number {
  const raw = Number(process.env.FUNCTIONS_REQUEST_BODY_SIZE_LIMIT);
  return Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_BODY_LIMIT;
}

/** The body, or null once it passes the limit (the rest is not read: memory stays bounded). */
async function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  if (Number(req.headers["content-length"] ?? 0) > limit) return null;
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > limit) return null;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function toHttpResponse(result: unknown): HttpResponse {
  if (result instanceof HttpResponse) return result;
  if (result === undefined || result === null) return new HttpResponse({ status: 204 });
  return new HttpResponse(result as HttpResponseInit);
}

/** The port could not be listened on; the message is one line naming the port and the fix. */
export class HostPortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "HostPortError";
  }
}

function portError(err: NodeJS.ErrnoException, port: number, hostname: string): Error {
  if (err.code === "EADDRINUSE") return new HostPortError(`port ${port} on ${hostname} is already in use (another azflow host, or func start?); stop it or choose another with --port.`);
  if (err.code === "EACCES") return new HostPortError(`port ${port} on ${hostname} needs privileges this user does not have; choose a port above 1023 with --port.`);
  if (err.code === "ERR_SOCKET_BAD_PORT") return new HostPortError(`port ${port} is out of range: give 0-65535 (0 picks a free one).`);
  if (err.code === "EADDRNOTAVAIL") return new HostPortError(`${hostname} is not an address of this machine.`);
  return err;
}

export async function startHost(options: HostOptions): Promise<RunningHost> {
  const { app } = options;
  const stateDir = options.stateDir ?? path.join(app.appRoot, ".local", "devhost");
  const persist = options.persist ?? true;
  // Before anything is read from the state directory: one host owns it at a time.
  const lock = persist ? await lockStateDir(stateDir) : undefined;
  try {
    return await startLocked(options, stateDir, persist, lock);
  } catch (err) {
    await lock?.release();
    throw err;
  }
}

async function startLocked(options: HostOptions, stateDir: string, persist: boolean, lock: StateLock | undefined): Promise<RunningHost> {
  const { app } = options;
  const log: LogSink = options.log ?? ((line) => console.log(line));
  loadLocalSettings(app.appRoot);
  const config = readHostConfig(app.appRoot, options.hostConfig);
  const store = persist ? new FileInstanceStore(path.join(stateDir, "instances", config.hubName)) : new MemoryInstanceStore();
  const mode = options.mode ?? "host";
  const engine = createEngine({
    registry: app.registry,
    mode,
    store,
    clock: options.clock === "virtual" || mode === "test" ? new VirtualClock() : new RealClock(),
    appRoot: app.appRoot,
    maxConcurrentActivityFunctions: config.maxConcurrentActivityFunctions,
    functionTimeoutMs: config.functionTimeoutMs,
    log,
  });
  const api = new DurableHttpApi(engine, { taskHubName: config.hubName });
  const routes = buildRoutes(app.registry.list(), config.routePrefix);
  let origin = "";
  const clientInputs = () => ({ durableClient: api.clientData(origin) });

  const server = http.createServer((req, res) => {
    void serve(req, res).catch((err: unknown) => {
      // Whatever a request does, the host keeps serving the others.
      log(`[host] ${req.method} ${req.url} failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  async function serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (await api.handle(req, res, origin)) return;
    const url = new URL(req.url ?? "/", origin);
    const method = (req.method ?? "GET").toUpperCase();
    // Methods an HTTP trigger can take (a Functions HttpRequest cannot carry TRACE or CONNECT).
    if (!HTTP_TRIGGER_METHODS.has(method)) {
      const allowed = [...new Set(routes.filter((r) => r.match(url.pathname) && !r.template.includes("{*")).flatMap((r) => r.methods))];
      res.writeHead(allowed.length ? 405 : 404, allowed.length ? { allow: allowed.join(", ") } : {}).end();
      return;
    }
    const found = findRoute(routes, method, url.pathname);
    if (!found || found === "method-not-allowed") {
      res.writeHead(found ? 405 : 404).end();
      return;
    }
    const body = await readBody(req, bodyLimit());
    if (body === null) {
      // As the Functions host does; the connection is closed rather than the rest read.
      res.writeHead(413, { connection: "close" }).end();
      req.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(", ") : v;
    const request = new HttpRequest({ method, url: url.toString(), headers, params: found.params, body: body.length ? { bytes: body } : undefined });
    try {
      const { result } = await invokeFunction(found.route.fn, request, { timeoutMs: config.functionTimeoutMs, log, extraInputsByType: clientInputs() });
      const response = toHttpResponse(result);
      const outHeaders: Record<string, string> = {};
      response.headers.forEach((v, k) => (outHeaders[k] = v));
      const payload = Buffer.from(await response.arrayBuffer());
      res.writeHead(response.status, outHeaders).end(payload);
    } catch (err) {
      log(`[${found.route.fn.name}] failed: ${(err as Error).stack ?? String(err)}`);
      if (!res.headersSent) res.writeHead(500).end();
    }
  }

  const hostname = options.hostname ?? "127.0.0.1";
  const wanted = options.port ?? 7071;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err: NodeJS.ErrnoException) => reject(portError(err, wanted, hostname)));
    try {
      server.listen(wanted, hostname, resolve);
    } catch (err) {
      // A port out of range is refused at once, before any event.
      reject(portError(err as NodeJS.ErrnoException, wanted, hostname));
    }
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${hostname}:${port}`;
  lock?.describe(`port ${port}`);
  // durable-functions rewrites the client's webhook URLs to localhost:7071 unless the host names
  // itself; func start sets this the same way. The latest host started in this process wins.
  process.env.WEBSITE_HOSTNAME = `${options.hostname ?? "127.0.0.1"}:${port}`;
  engine.setDurableClientData(() => api.clientData(origin));
  const resumed = engine.resume();

  const invokeWith = (fn: RegisteredFunction, input: unknown, triggerMetadata?: Record<string, unknown>) =>
    invokeFunction(fn, input, { timeoutMs: config.functionTimeoutMs, log, extraInputsByType: clientInputs(), triggerMetadata }).then(() => undefined);

  const timers = new TimerScheduler(app.registry.byTrigger("timerTrigger"), (fn, timer) => invokeWith(fn, timer), log);
  if (options.timers !== false) timers.start();
  const blobFunctions = app.registry.byTrigger("blobTrigger");
  const poller = new BlobPoller({
    functions: blobFunctions,
    receipts: new ReceiptStore(persist ? path.join(stateDir, "receipts", `${config.hubName}.json`) : undefined),
    intervalMs: options.blobPollIntervalMs ?? 2000,
    invoke: (fn, content, meta) => invokeWith(fn, content, meta),
    log,
  });
  if (options.blobs !== false && blobFunctions.length) poller.start();

  return {
    origin,
    port,
    engine,
    api,
    config,
    resumed,
    async close() {
      timers.stop();
      await poller.stop();
      await engine.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await lock?.release();
    },
  };
}
