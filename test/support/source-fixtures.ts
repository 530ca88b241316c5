// The internet sources of the seed DAGs, stood in for by tools/fixtures on loopback, and a local
// webhook receiver: tests point the DAGs' connections at them through AIRFLOW_CONN_* settings,
// which activities read when they resolve a connection.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { startFixtureServer, type FaultKind, type FixtureOptions, type FixtureServer } from "../../tools/fixtures";

/** An HTTP connection whose base URL has a path: the JSON form (a URI's path would be read as its schema). */
export function httpConnection(url: string): string {
  return JSON.stringify({ conn_type: "http", host: url });
}

export async function startSources(options: FixtureOptions = {}): Promise<FixtureServer & { use(fault?: FaultKind): void }> {
  const server = await startFixtureServer(options);
  const use = (fault?: FaultKind): void => {
    const c = server.connections(fault);
    process.env.AIRFLOW_CONN_USER_API = httpConnection(c.user_api);
    process.env.AIRFLOW_CONN_NYC_TLC = httpConnection(c.nyc_tlc);
    process.env.AIRFLOW_CONN_SONG_DATA = httpConnection(c.song_data);
  };
  use();
  return Object.assign(server, { use });
}

export interface WebhookReceiver {
  url: string;
  received: Record<string, unknown>[];
  close(): Promise<void>;
}

/** A local HTTP endpoint that records the JSON bodies POSTed to it. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: Record<string, unknown>[] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      try {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end("ok");
      } catch {
        res.writeHead(400).end("not json");
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/alerts`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
