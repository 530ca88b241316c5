// JSON-safe values: the compiled DAG, task configs and results cross the orchestration boundary
// (inputs, outputs, history), so only data that survives JSON.stringify/parse unchanged is allowed.
export type JsonPrimitive = string | number | boolean | null;
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Returns the path of the first value that is not JSON-safe, or null when all of it is. */
export function findNonJson(value: unknown, path = "$"): string | null {
  if (value === null || typeof value === "string" || typeof value === "boolean") return null;
  if (typeof value === "number") return Number.isFinite(value) ? null : path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const bad = findNonJson(value[i], `${path}[${i}]`);
      if (bad !== null) return bad;
    }
    return null;
  }
  if (isPlainObject(value)) {
    for (const [key, item] of Object.entries(value)) {
      const bad = findNonJson(item, `${path}.${key}`);
      if (bad !== null) return bad;
    }
    return null;
  }
  return path;
}

/** A deep copy that is guaranteed JSON-safe (throws naming the offending path otherwise). */
export function toJson(value: unknown, what: string): JsonValue {
  const bad = findNonJson(value);
  if (bad !== null) throw new TypeError(`${what} is not JSON-safe at ${bad}`);
  return JSON.parse(JSON.stringify(value)) as JsonValue;
}
