// The Durable Functions HTTP API, served by the local runtime so that `df.getClient(context)`
// code runs unchanged. durable-functions' DurableClient prefers `rpcBaseUrl`
// ("<origin>/durabletask/") for every operation; the webhook URLs
// ("<origin>/runtime/webhooks/durabletask/...") are what createCheckStatusResponse hands to
// callers. Both are served here, by the same handler.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { EngineError, type DurableEngine, type InstanceQuery, type InstanceStatus } from "./engine/engine";
import { EventType, type HistoryEvent } from "./engine/history";
import type { RuntimeStatus } from "./engine/instance-store";

const WEBHOOK_PREFIX = "/runtime/webhooks/durabletask/";
const RPC_PREFIX = "/durabletask/";
const ID_PLACEHOLDER = "INSTANCEID";

/** What the durableClient input binding carries (OrchestrationClientInputData). */
export interface DurableClientInputData {
  taskHubName: string;
  creationUrls: Record<string, string>;
  managementUrls: Record<string, string>;
  baseUrl: string;
  requiredQueryStringParameters: string;
  rpcBaseUrl: string;
}

export interface DurableHttpApiOptions {
  taskHubName: string;
  connectionName?: string;
}

const EVENT_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(EventType)
    .filter(([, v]) => typeof v === "number")
    .map(([k, v]) => [v as number, k]),
);

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

function parseJsonText(text: string | undefined): unknown {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** History as the status API shows it: readable event names, parsed inputs and results. */
function historyForApi(history: HistoryEvent[], showOutput: boolean): Record<string, unknown>[] {
  return history
    .filter((e) => e.EventType !== EventType.OrchestratorStarted && e.EventType !== EventType.OrchestratorCompleted)
    .map((e) => {
      const out: Record<string, unknown> = { EventType: EVENT_TYPE_NAMES[e.EventType] ?? String(e.EventType), EventId: e.EventId, Timestamp: e.Timestamp.toISOString() };
      if (e.Name !== undefined) out.FunctionName = e.Name;
      if (e.TaskScheduledId !== undefined) out.TaskScheduledId = e.TaskScheduledId;
      if (e.TimerId !== undefined) out.TimerId = e.TimerId;
      if (e.FireAt !== undefined) out.FireAt = new Date(e.FireAt).toISOString();
      if (e.InstanceId !== undefined) out.InstanceId = e.InstanceId;
      if (e.OrchestrationStatus !== undefined) out.OrchestrationStatus = e.OrchestrationStatus;
      if (e.FailureDetails !== undefined) out.FailureDetails = e.FailureDetails;
      if (e.Reason !== undefined) out.Reason = e.Reason;
      if (e.Input !== undefined && e.EventType !== EventType.ExecutionStarted) out.Input = parseJsonText(e.Input);
      if (showOutput && e.Result !== undefined) out.Result = parseJsonText(e.Result);
      return out;
    });
}

function statusBody(s: InstanceStatus, opts: { showInput: boolean; showHistory: boolean; showHistoryOutput: boolean }): Record<string, unknown> {
  const body: Record<string, unknown> = {
    name: s.name,
    instanceId: s.instanceId,
    runtimeStatus: s.runtimeStatus,
    input: opts.showInput ? s.input : null,
    customStatus: s.customStatus,
    output: s.output,
    createdTime: isoSeconds(s.createdTime),
    lastUpdatedTime: isoSeconds(s.lastUpdatedTime),
  };
  if (opts.showHistory && s.history) body.historyEvents = historyForApi(s.history, opts.showHistoryOutput);
  return body;
}

function statusCode(s: RuntimeStatus): number {
  // As documented for the HTTP API: 200 completed, 400 failed or terminated, 202 in progress.
  if (s === "Completed") return 200;
  if (s === "Failed" || s === "Terminated") return 400;
  return 202;
}

function queryFrom(params: URLSearchParams): InstanceQuery {
  const q: InstanceQuery = {};
  const statuses = params.get("runtimeStatus");
  if (statuses) q.runtimeStatus = statuses.split(",").map((s) => s.trim()) as RuntimeStatus[];
  const from = params.get("createdTimeFrom");
  if (from) q.createdTimeFrom = new Date(from);
  const to = params.get("createdTimeTo");
  if (to) q.createdTimeTo = new Date(to);
  const prefix = params.get("instanceIdPrefix");
  if (prefix) q.instanceIdPrefix = prefix;
  const name = params.get("name");
  if (name) q.name = name;
  return q;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: http.ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { ...(text ? { "Content-Type": "application/json; charset=utf-8" } : {}), ...headers });
  res.end(text);
}

export class DurableHttpApi {
  private readonly connection: string;

  constructor(
    private readonly engine: DurableEngine,
    private readonly options: DurableHttpApiOptions,
  ) {
    this.connection = options.connectionName ?? "Storage";
  }

  private get commonQuery(): string {
    return `taskHub=${encodeURIComponent(this.options.taskHubName)}&connection=${this.connection}`;
  }

  /** The management URLs for one instance (the body of a 202 from a start). */
  managementPayload(origin: string, instanceId: string): Record<string, string> {
    const urls = this.clientData(origin).managementUrls;
    return Object.fromEntries(Object.entries(urls).map(([k, v]) => [k, v.split(ID_PLACEHOLDER).join(encodeURIComponent(instanceId))]));
  }

  /** The durableClient binding value for functions served from `origin`. */
  clientData(origin: string): DurableClientInputData {
    const base = `${origin}${WEBHOOK_PREFIX.slice(0, -1)}`;
    const q = this.commonQuery;
    const instance = `${base}/instances/${ID_PLACEHOLDER}`;
    return {
      taskHubName: this.options.taskHubName,
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?code=`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}&code=`,
      },
      managementUrls: {
        id: ID_PLACEHOLDER,
        statusQueryGetUri: `${instance}?${q}`,
        sendEventPostUri: `${instance}/raiseEvent/{eventName}?${q}`,
        terminatePostUri: `${instance}/terminate?reason={text}&${q}`,
        rewindPostUri: `${instance}/rewind?reason={text}&${q}`,
        purgeHistoryDeleteUri: `${instance}?${q}`,
        restartPostUri: `${instance}/restart?${q}`,
        suspendPostUri: `${instance}/suspend?reason={text}&${q}`,
        resumePostUri: `${instance}/resume?reason={text}&${q}`,
      },
      baseUrl: base,
      requiredQueryStringParameters: q,
      rpcBaseUrl: `${origin}${RPC_PREFIX}`,
    };
  }

  /** Serves the request when its path is a Durable API path; false otherwise. */
  async handle(req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<boolean> {
    const url = new URL(req.url ?? "/", origin);
    const prefix = [WEBHOOK_PREFIX, RPC_PREFIX].find((p) => url.pathname.startsWith(p));
    if (!prefix) return false;
    const parts = url.pathname.slice(prefix.length).split("/").filter(Boolean).map(decodeURIComponent);
    const method = (req.method ?? "GET").toUpperCase();
    try {
      await this.route(method, parts, url.searchParams, req, res, origin);
    } catch (err) {
      if (err instanceof EngineError) {
        const status = { NotFound: 404, Conflict: 409, Gone: 410, BadRequest: 400 }[err.code];
        send(res, status, { Message: err.message });
      } else send(res, 500, { Message: (err as Error).message });
    }
    return true;
  }

  private async route(method: string, parts: string[], params: URLSearchParams, req: http.IncomingMessage, res: http.ServerResponse, origin: string): Promise<void> {
    const [collection, id, action, arg] = parts;
    if (collection === "orchestrators" && method === "POST" && id) {
      const text = await readBody(req);
      let input: unknown;
      try {
        input = text.trim() ? JSON.parse(text) : undefined;
      } catch {
        return send(res, 400, { Message: "The request body is not valid JSON." });
      }
      let instanceId: string;
      try {
        instanceId = await this.engine.start(id, input, action);
      } catch (err) {
        if (err instanceof EngineError) throw err;
        return send(res, 400, { Message: (err as Error).message });
      }
      const payload = this.managementPayload(origin, instanceId);
      return send(res, 202, payload, { Location: payload.statusQueryGetUri });
    }
    if (collection !== "instances") return send(res, 404, { Message: `Unknown Durable API path /${parts.join("/")}` });
    const flag = (name: string) => params.get(name)?.toLowerCase() === "true";
    if (!id) {
      if (method === "GET") {
        const list = this.engine.list(queryFrom(params)).map((s) => statusBody(s, { showInput: flag("showInput"), showHistory: false, showHistoryOutput: false }));
        return send(res, 200, list);
      }
      if (method === "DELETE") {
        const n = this.engine.purgeBy(queryFrom(params));
        return n ? send(res, 200, { instancesDeleted: n }) : send(res, 404, { instancesDeleted: 0 });
      }
      return send(res, 405, { Message: `${method} not allowed on instances` });
    }
    if (!action) {
      if (method === "GET") {
        const s = this.engine.getStatus(id, { showHistory: flag("showHistory") });
        if (!s) return send(res, 404, { Message: `No instance with ID '${id}' found.` });
        // showInput defaults to true for a single instance, as in the host.
        return send(res, statusCode(s.runtimeStatus), statusBody(s, { showInput: params.get("showInput")?.toLowerCase() !== "false", showHistory: flag("showHistory"), showHistoryOutput: flag("showHistoryOutput") }));
      }
      if (method === "DELETE") {
        if (!this.engine.getStatus(id)) return send(res, 404, { instancesDeleted: 0 });
        if (!this.engine.purge(id)) return send(res, 409, { Message: `Instance '${id}' is still running; only finished instances can be purged.` });
        return send(res, 200, { instancesDeleted: 1 });
      }
    }
    if (method === "POST" && action === "raiseEvent" && arg) {
      const text = await readBody(req);
      await this.engine.raiseEvent(id, arg, text.trim() ? (JSON.parse(text) as unknown) : undefined);
      return send(res, 202);
    }
    if (method === "POST" && action === "terminate") {
      await this.engine.terminate(id, params.get("reason") ?? "");
      return send(res, 202);
    }
    return send(res, 501, { Message: `${method} ${action ?? ""} is not supported by the azflow local runtime.` });
  }

  /** Serves only the Durable API on its own port (tests, or a client without the host). */
  async listen(port = 0, host = "127.0.0.1"): Promise<{ origin: string; close: () => Promise<void> }> {
    let origin = "";
    const server = http.createServer((req, res) => {
      void this.handle(req, res, origin).then((handled) => {
        if (!handled) send(res, 404, { Message: "Not a Durable API path." });
      });
    });
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    origin = `http://${host}:${(server.address() as AddressInfo).port}`;
    this.engine.setDurableClientData(() => this.clientData(origin));
    return { origin, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }
}
