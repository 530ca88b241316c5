import * as net from "node:net";

/** True when nothing holds the port: a bind test, so a listener on any address counts as taken. */
export function portIsFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** A port nothing listens on now, as the system picks one (for a service started on the side). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

/** Calls `check` until it resolves, or rejects with its last error once `timeoutMs` has passed. */
export async function waitUntil<T>(
  check: () => Promise<T>,
  timeoutMs: number,
  options: { intervalMs?: number; abort?: () => string | undefined } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const reason = options.abort?.();
    if (reason) throw new Error(reason);
    try {
      return await check();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) break;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}
