// The web UI: the single-page app `npm run build` puts in dist/ui (Vite, from ui/), served at
// /api/ui/ by one HTTP function with a catch-all route. It serves files only, never data: every
// view reads and acts through the REST API with the caller's own credentials, so this function is
// anonymous while the API keeps its function keys (README: "The web UI").
//
// The UI lives under the host's route prefix rather than at the site root: an empty routePrefix
// with a catch-all route would shadow the extension webhooks (Durable's runtime/webhooks/durabletask,
// the Event Grid blob trigger's runtime/webhooks/blobs) on the Functions host.
import * as fs from "node:fs";
import * as path from "node:path";
import * as zlib from "node:zlib";
import { app, type HttpRequest, type HttpResponseInit } from "@azure/functions";
import { appRoot } from "../../app-root";

export const UI_ROUTE = "ui";

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

// Everything the page loads comes from this app: no CDN, no inline script, no framing.
const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

export function uiDir(): string {
  return path.join(appRoot(), "dist", "ui");
}

interface StaticFile {
  body: Buffer;
  gzip: Buffer | null;
  type: string;
}

// Built files never change while the app runs: read (and compress) each once.
const cache = new Map<string, StaticFile | null>();

function load(file: string): StaticFile | null {
  if (cache.has(file)) return cache.get(file)!;
  let entry: StaticFile | null = null;
  try {
    const body = fs.readFileSync(file);
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? "application/octet-stream";
    const compressible = /^(text\/|application\/json|image\/svg)/.test(type) && body.length > 1024;
    entry = { body, gzip: compressible ? zlib.gzipSync(body, { level: 9 }) : null, type };
  } catch {
    entry = null;
  }
  cache.set(file, entry);
  return entry;
}

/** The file a request path names inside the UI folder, or undefined for a path that leaves it. */
export function resolveUiPath(root: string, requested: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0")) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded.replace(/\\/g, "/")}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : undefined;
}

function respond(request: HttpRequest, file: StaticFile, cacheControl: string): HttpResponseInit {
  const gzip = file.gzip && /\bgzip\b/.test(request.headers.get("accept-encoding") ?? "");
  const headers: Record<string, string> = { ...SECURITY_HEADERS, "content-type": file.type, "cache-control": cacheControl, vary: "accept-encoding" };
  if (gzip) headers["content-encoding"] = "gzip";
  const body = gzip ? file.gzip! : file.body;
  return { status: 200, headers, body: request.method === "HEAD" ? undefined : body };
}

export async function serveUi(request: HttpRequest): Promise<HttpResponseInit> {
  const root = uiDir();
  const index = load(path.join(root, "index.html"));
  if (!index) {
    return { status: 503, headers: { "content-type": "text/plain; charset=utf-8" }, body: "The web UI is not built here: run `npm run build` (it builds ui/ into dist/ui).\n" };
  }
  const requested = request.params.path ?? "";
  const file = resolveUiPath(root, requested);
  if (file === undefined) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Not found\n" };
  const found = file !== root && path.extname(file) ? load(file) : null;
  // Vite names built assets by content hash: they can be cached for good.
  if (found) return respond(request, found, /[\\/]assets[\\/]/.test(file) ? "public, max-age=31536000, immutable" : "no-cache");
  // A missing asset is a 404; any other path is a view of the app, which routes it itself.
  if (path.extname(file)) return { status: 404, headers: { "content-type": "text/plain; charset=utf-8" }, body: "Not found\n" };
  return respond(request, index, "no-cache");
}

app.http("ui_static_files", {
  route: `${UI_ROUTE}/{*path}`,
  methods: ["GET", "HEAD"],
  authLevel: "anonymous",
  handler: serveUi,
});
