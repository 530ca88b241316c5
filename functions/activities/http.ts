// HttpOperator and HttpSensor. The response body is the XCom (parsed when JSON); a non-2xx status
// fails the task, except that the sensor treats 404 as "not yet", as Airflow's does.
import { endpointUrl, httpTarget } from "../hooks/http";
import { ConfigReader } from "./config-reader";
import { OperatorContext, OperatorDefinition, PokeResult } from "./operator";

export interface HttpConfig {
  connId: string;
  endpoint: string;
  method: string;
  data: unknown;
  headers: Record<string, string>;
  /** Max bytes of a response body kept as XCom; larger bodies belong in blob storage. */
  maxBytes: number;
  notReadyStatuses: number[];
}

function parseHttp(config: unknown, where: string): HttpConfig {
  const c = new ConfigReader(config, where).only(["conn_id", "endpoint", "method", "data", "headers", "max_bytes", "not_ready_statuses"]);
  const statuses = c.raw("not_ready_statuses");
  return {
    connId: c.string("conn_id", "http_default"),
    endpoint: c.has("endpoint") ? String(c.raw("endpoint")) : "",
    method: c.oneOf("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], "GET"),
    data: c.raw("data"),
    headers: c.stringRecord("headers"),
    maxBytes: c.number("max_bytes", 10 * 1024 * 1024, 1),
    notReadyStatuses: Array.isArray(statuses) ? (statuses as number[]) : [404],
  };
}

async function request(config: HttpConfig, ctx: OperatorContext): Promise<Response> {
  const target = httpTarget(config.connId);
  let url = endpointUrl(target, config.endpoint);
  let body: string | undefined;
  const headers = { ...target.headers, ...config.headers };
  if (config.data !== undefined && config.data !== null) {
    if (config.method === "GET" || config.method === "HEAD") {
      const u = new URL(url);
      for (const [k, v] of Object.entries(config.data as Record<string, unknown>)) u.searchParams.set(k, String(v));
      url = u.toString();
    } else {
      body = typeof config.data === "string" ? config.data : JSON.stringify(config.data);
      if (typeof config.data !== "string") headers["Content-Type"] ??= "application/json";
    }
  }
  ctx.log(`${config.method} ${url.replace(/\?.*$/, "")}`);
  return fetch(url, { method: config.method, headers, body, signal: ctx.signal });
}

async function readBody(response: Response, maxBytes: number): Promise<unknown> {
  const text = await readLimited(response, maxBytes);
  const type = response.headers.get("content-type") ?? "";
  if (type.includes("json")) {
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`Response claims JSON but is not valid JSON (${text.slice(0, 120)}...).`);
    }
  }
  return text;
}

async function readLimited(response: Response, maxBytes: number): Promise<string> {
  if (!response.body) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new Error(`Response body is over ${maxBytes} bytes; raise max_bytes or stream it to blob storage.`);
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString("utf8");
}

export const httpOperator: OperatorDefinition<HttpConfig> = {
  name: "http",
  templateFields: ["endpoint", "data", "headers"],
  parse: parseHttp,
  async execute(config, ctx) {
    const response = await request(config, ctx);
    if (!response.ok) {
      throw new Error(`${response.status}:${response.statusText} from ${config.method} ${config.endpoint || "/"}`);
    }
    return readBody(response, config.maxBytes);
  },
};

export const httpSensor: OperatorDefinition<HttpConfig> = {
  name: "http_sensor",
  templateFields: ["endpoint", "data", "headers"],
  parse: parseHttp,
  async execute(config, ctx): Promise<PokeResult> {
    const response = await request(config, ctx);
    await response.body?.cancel();
    if (config.notReadyStatuses.includes(response.status)) {
      ctx.log(`Poke: ${response.status}, not ready yet.`);
      return { done: false };
    }
    if (!response.ok) throw new Error(`${response.status}:${response.statusText} from ${config.endpoint || "/"}`);
    return { done: true };
  },
};
