// Secrets that an activity has touched are masked in every log line and error it emits, the way
// Airflow's secrets masker does: a connection's password and any extra field whose name says it
// is sensitive are registered when the connection is resolved.
import type { Connection } from "./connection";

const SENSITIVE_KEY = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|sas|credential|connection[_-]?string|auth)/i;
/** Short values would mask ordinary words; Airflow skips them for the same reason. */
const MIN_SECRET_LENGTH = 5;
const MASK = "***";

const secrets = new Set<string>();

export function registerSecret(value: unknown): void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH) return;
  secrets.add(value);
  const encoded = encodeURIComponent(value);
  if (encoded !== value) secrets.add(encoded);
}

export function registerConnectionSecrets(conn: Connection): void {
  registerSecret(conn.password);
  const walk = (value: unknown, key: string): void => {
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, k);
    } else if (SENSITIVE_KEY.test(key)) {
      registerSecret(value);
    }
  };
  walk(conn.extra, "");
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** The text with every registered secret (longest first, so overlaps mask whole) replaced. */
export function maskSecrets(text: string): string {
  if (secrets.size === 0) return text;
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(s).join(MASK);
  return out;
}

/** An error safe to return from an activity: message and stack masked. */
export function maskError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  const masked = new Error(maskSecrets(e.message));
  masked.name = e.name;
  masked.stack = e.stack ? maskSecrets(e.stack) : undefined;
  return masked;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
