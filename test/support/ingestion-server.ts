// A local HTTPS server speaking Application Insights' ingestion API (POST /v2.1/track with a JSON
// array of envelopes, gzip or plain; answers with itemsReceived/itemsAccepted), standing in for
// Azure so tests can read exactly what the real exporter sends. Point a connection string's
// IngestionEndpoint at `url`. The exporter only speaks HTTPS, so the server has a self-signed
// certificate for 127.0.0.1 whose PEM a client trusts through NODE_EXTRA_CA_CERTS.
import * as fs from "node:fs";
import type * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { gunzipSync } from "node:zlib";
import { generate } from "selfsigned";

export interface Envelope {
  name: string;
  time: string;
  iKey: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

export interface IngestionServer {
  url: string;
  /** A PEM file holding the server's certificate, for NODE_EXTRA_CA_CERTS. */
  caFile: string;
  envelopes: Envelope[];
  requests: { path: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

function parseBody(raw: Buffer, encoding: string | undefined): Envelope[] {
  const text = (encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8").trim();
  if (text.startsWith("[")) return JSON.parse(text) as Envelope[];
  // The API also accepts newline-delimited envelopes.
  return text.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Envelope);
}

export async function startIngestionServer(): Promise<IngestionServer> {
  const envelopes: Envelope[] = [];
  const requests: IngestionServer["requests"] = [];
  const pems = await generate([{ name: "commonName", value: "127.0.0.1" }], {
    keySize: 2048,
    algorithm: "sha256",
    extensions: [{ name: "subjectAltName", altNames: [{ type: 7, ip: "127.0.0.1" }, { type: 2, value: "localhost" }] }],
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "azflow-ingestion-"));
  const caFile = path.join(dir, "ca.pem");
  fs.writeFileSync(caFile, pems.cert);
  const server = https.createServer({ key: pems.private, cert: pems.cert }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      requests.push({ path: req.url ?? "", headers: req.headers });
      if (req.method !== "POST" || !/\/v2(\.1)?\/track$/.test(new URL(req.url ?? "/", "http://x").pathname)) {
        res.writeHead(404).end();
        return;
      }
      let items: Envelope[];
      try {
        items = parseBody(Buffer.concat(chunks), req.headers["content-encoding"]);
      } catch (err) {
        res.writeHead(400, { "Content-Type": "application/json" }).end(JSON.stringify({ error: String(err) }));
        return;
      }
      envelopes.push(...items);
      res.writeHead(200, { "Content-Type": "application/json" })
        .end(JSON.stringify({ itemsReceived: items.length, itemsAccepted: items.length, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}/`,
    caFile,
    envelopes,
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => {
        fs.rmSync(dir, { recursive: true, force: true });
        resolve();
      });
    }),
  };
}
