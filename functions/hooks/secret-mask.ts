// Secrets are masked in every log line, error and XCom a task emits, the way Airflow's secrets
// masker does: a connection's password, its URI forms and any extra field whose name says it is
// sensitive are registered (every connection's, before task code runs: settings-secrets.ts), and
// every registered value is replaced by *** wherever it appears.
import type { Connection } from "./connection";

const SENSITIVE_KEY = /(pass(word|wd)?|secret|token|api[_-]?key|private[_-]?key|access[_-]?key|sas|credential|connection[_-]?string|auth|keyfile[_-]?dict|service[_-]?account)/i;
/**
 * Airflow's DEFAULT_SENSITIVE_FIELDS: a value under such a key is hidden whatever it holds when
 * a task's output is redacted. Narrower than SENSITIVE_KEY on purpose: redacting by key replaces
 * a task's data, so it changes no more than Airflow would.
 */
const AIRFLOW_SENSITIVE_FIELDS = ["access_token", "api_key", "apikey", "authorization", "passphrase", "passwd", "password", "private_key", "secret", "token", "keyfile_dict", "service_account"];
/** Short values would mask ordinary words; Airflow skips them for the same reason. */
const MIN_SECRET_LENGTH = 5;
/**
 * Common terms never masked, as Airflow never masks "airflow" (SECRETS_TO_SKIP_MASKING): "azflow"
 * is the local Postgres password and also in container, task hub and command names.
 */
const SKIP_MASKING = new Set(["airflow", "azflow"]);
const MASK = "***";
/** Secrets are found by their first characters, so masking costs the same for 10 or 50,000 of them. */
const PREFIX_LENGTH = 4;

/** The secrets sharing their first characters, by length: a place in a text is checked once per length. */
interface Bucket {
  /** Distinct lengths, longest first. */
  lengths: number[];
  byLength: Map<number, Set<string>>;
}

const secrets = new Set<string>();
const byPrefix = new Map<string, Bucket>();

function add(value: string): void {
  if (secrets.has(value)) return;
  secrets.add(value);
  const key = value.slice(0, PREFIX_LENGTH);
  let bucket = byPrefix.get(key);
  if (!bucket) byPrefix.set(key, (bucket = { lengths: [], byLength: new Map() }));
  let same = bucket.byLength.get(value.length);
  if (!same) {
    bucket.byLength.set(value.length, (same = new Set()));
    bucket.lengths.push(value.length);
    bucket.lengths.sort((a, b) => b - a);
  }
  same.add(value);
}

/** The longest registered secret starting at `at`, or 0. */
function matchAt(text: string, at: number): number {
  const bucket = byPrefix.get(text.slice(at, at + PREFIX_LENGTH));
  if (!bucket) return 0;
  for (const length of bucket.lengths) {
    if (at + length <= text.length && bucket.byLength.get(length)!.has(text.slice(at, at + length))) return length;
  }
  return 0;
}

/** A secret and the forms it takes inside URIs: percent-encoded, and with `+` for spaces (query strings, Python's quote_plus). */
export function registerSecret(value: unknown): void {
  if (typeof value !== "string" || value.length < MIN_SECRET_LENGTH || SKIP_MASKING.has(value.toLowerCase())) return;
  add(value);
  const encoded = encodeURIComponent(value);
  add(encoded);
  add(encoded.replace(/%20/g, "+"));
  // Python's quote(safe="") also escapes the characters encodeURIComponent leaves alone.
  add(encoded.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));
}

const STORAGE_KEY = /(?:AccountKey|SharedAccessSignature|SharedAccessKey)=([^;]+)/gi;
const SAS_SIGNATURE = /(?:^|[?&;])sig=([^&;]+)/gi;

/** The keys inside Azure Storage and Event Hubs connection strings and SAS tokens. */
export function registerStorageKeys(text: string): void {
  for (const m of text.matchAll(STORAGE_KEY)) registerSecret(m[1]);
  for (const m of text.matchAll(SAS_SIGNATURE)) {
    registerSecret(m[1]);
    try {
      registerSecret(decodeURIComponent(m[1]));
    } catch {
      // not percent-encoded after all; the raw form is registered
    }
  }
}

export function registerConnectionSecrets(conn: Connection): void {
  registerSecret(conn.password);
  // HTTP basic auth sends these; a header echoed in an error must not give them away.
  if (conn.login !== null && conn.password !== null) registerSecret(Buffer.from(`${conn.login}:${conn.password}`).toString("base64"));
  const walk = (value: unknown, key: string): void => {
    if (value && typeof value === "object") {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) walk(v, k);
      return;
    }
    if (SENSITIVE_KEY.test(key)) registerSecret(value);
    if (typeof value === "string") registerStorageKeys(value);
  };
  walk(conn.extra, "");
  for (const part of [conn.password, conn.host]) if (part) registerStorageKeys(part);
}

export function isSensitiveKey(key: string): boolean {
  return SENSITIVE_KEY.test(key);
}

/** Airflow's should_hide_value_for_key. */
function hidesValueForKey(key: string): boolean {
  const name = key.trim().toLowerCase();
  return AIRFLOW_SENSITIVE_FIELDS.some((field) => name.includes(field));
}

/** The text with every registered secret replaced (at each place the longest that matches). */
export function maskSecrets(text: string): string {
  if (secrets.size === 0 || text.length < MIN_SECRET_LENGTH) return text;
  let out = "";
  let copied = 0;
  for (let i = 0; i <= text.length - MIN_SECRET_LENGTH; i++) {
    const length = matchAt(text, i);
    if (length === 0) continue;
    out += text.slice(copied, i) + MASK;
    copied = i + length;
    i = copied - 1;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

/**
 * A task's output made safe to store, as Airflow's redact() treats rendered values: registered
 * secrets are masked in every string, and every string under a sensitive key is hidden whole.
 */
export function redact(value: unknown, key?: string): unknown {
  if (typeof value === "string") return key !== undefined && hidesValueForKey(key) ? MASK : maskSecrets(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, key));
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const sensitive = key !== undefined && hidesValueForKey(key);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, sensitive ? key : k)]));
  }
  return value;
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
  byPrefix.clear();
}
