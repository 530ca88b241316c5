// Every request the UI makes goes through here, to the app's REST API. GETs are conditional: the
// last ETag of each URL is sent as If-None-Match, and a 304 hands back the body already held, so
// polling a run that has not changed costs the API no body and the page no re-render. Errors come
// back as ApiError carrying Airflow's problem body.
//
// In Azure the API needs a function key: one entered in the page is kept for this browser tab
// (sessionStorage) and sent in the x-functions-key header, never in a URL.
import type { Problem } from "./types";

export const API_ROOT = "/api/v1";
export const OBJECT_ROOT = "/api/object";
const KEY_STORAGE = "azflow.functionKey";

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem | null, fallback: string) {
    super(problem?.detail || problem?.title || fallback);
  }

  get title(): string {
    return this.problem?.title ?? `HTTP ${this.status}`;
  }
}

export function functionKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_STORAGE);
  } catch {
    return null;
  }
}

export function setFunctionKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
  held.clear();
}

// Listeners told when the API asks for credentials (401/403), so the page can ask for a key.
const authListeners = new Set<() => void>();
export function onAuthRequired(listener: () => void): () => void {
  authListeners.add(listener);
  return () => authListeners.delete(listener);
}

const held = new Map<string, { etag: string; body: unknown }>();

/** How many GETs were answered 304 (read by the browser tests through window.__azflow). */
export const requestStats = { requests: 0, notModified: 0 };

async function problemOf(res: Response): Promise<Problem | null> {
  const text = await res.text().catch(() => "");
  try {
    const body = JSON.parse(text) as Partial<Problem>;
    if (body && typeof body === "object" && (body.title || body.detail)) {
      return { type: String(body.type ?? ""), title: String(body.title ?? ""), status: Number(body.status ?? res.status), detail: String(body.detail ?? "") };
    }
  } catch {
    // not JSON: described below
  }
  return text && text.length < 500 ? { type: "", title: `HTTP ${res.status}`, status: res.status, detail: text.trim() } : null;
}

function headersFor(extra: Record<string, string> = {}): Headers {
  const headers = new Headers(extra);
  const key = functionKey();
  if (key) headers.set("x-functions-key", key);
  return headers;
}

async function failed(res: Response): Promise<never> {
  if (res.status === 401 || res.status === 403) for (const l of authListeners) l();
  throw new ApiError(res.status, await problemOf(res), `${res.status} ${res.statusText}`);
}

export async function getJson<T>(url: string): Promise<T> {
  const headers = headersFor({ accept: "application/json" });
  const cached = held.get(url);
  if (cached) headers.set("if-none-match", cached.etag);
  requestStats.requests++;
  const res = await fetch(url, { headers, cache: "no-store" });
  if (res.status === 304 && cached) {
    requestStats.notModified++;
    return cached.body as T;
  }
  if (!res.ok) return failed(res);
  const body = (await res.json()) as T;
  const etag = res.headers.get("etag");
  if (etag) held.set(url, { etag, body });
  return body;
}

export async function getText(url: string): Promise<string> {
  requestStats.requests++;
  const res = await fetch(url, { headers: headersFor({ accept: "text/plain" }), cache: "no-store" });
  if (!res.ok) return failed(res);
  return res.text();
}

export async function sendJson<T>(method: "POST" | "PATCH" | "DELETE", url: string, body: unknown): Promise<T> {
  requestStats.requests++;
  const res = await fetch(url, {
    method,
    headers: headersFor({ "content-type": "application/json", accept: "application/json" }),
    body: JSON.stringify(body),
    cache: "no-store",
  });
  if (!res.ok) return failed(res);
  return (res.status === 204 ? undefined : await res.json()) as T;
}

/** A path segment: run ids may hold ":" and "+", task ids ".". */
export const seg = (value: string) => encodeURIComponent(value);
