// Operators validate their config before doing anything, with errors that name the task and field.

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

type Obj = Record<string, unknown>;

/** Reads fields of one operator's config; `where` names the operator (and task) in errors. */
export class ConfigReader {
  private readonly obj: Obj;

  constructor(config: unknown, private readonly where: string) {
    if (!config || typeof config !== "object" || Array.isArray(config)) {
      throw new ConfigError(`${where}: config must be an object.`);
    }
    this.obj = config as Obj;
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): unknown {
    return this.obj[key];
  }

  string(key: string): string;
  string(key: string, fallback: string): string;
  string(key: string, fallback?: string): string {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${this.where}: '${key}' is required.`);
    }
    if (typeof v !== "string" || v === "") throw new ConfigError(`${this.where}: '${key}' must be a non-empty string.`);
    return v;
  }

  optionalString(key: string): string | undefined {
    return this.has(key) ? this.string(key) : undefined;
  }

  number(key: string, fallback?: number, min = -Infinity, max = Infinity): number {
    const v = this.obj[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw new ConfigError(`${this.where}: '${key}' is required.`);
    }
    if (typeof v !== "number" || !Number.isFinite(v) || v < min || v > max) {
      throw new ConfigError(`${this.where}: '${key}' must be a number between ${min} and ${max}.`);
    }
    return v;
  }

  boolean(key: string, fallback: boolean): boolean {
    const v = this.obj[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") throw new ConfigError(`${this.where}: '${key}' must be true or false.`);
    return v;
  }

  stringRecord(key: string): Record<string, string> {
    const v = this.obj[key];
    if (v === undefined || v === null) return {};
    if (typeof v !== "object" || Array.isArray(v) || Object.values(v).some((x) => typeof x !== "string")) {
      throw new ConfigError(`${this.where}: '${key}' must map names to strings.`);
    }
    return v as Record<string, string>;
  }

  stringList(key: string): string[] {
    const v = this.obj[key];
    if (v === undefined || v === null) return [];
    const list = typeof v === "string" ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== "string")) {
      throw new ConfigError(`${this.where}: '${key}' must be a string or a list of strings.`);
    }
    return list as string[];
  }

  oneOf<T extends string>(key: string, allowed: readonly T[], fallback: T): T {
    const v = this.obj[key] ?? fallback;
    if (!allowed.includes(v as T)) throw new ConfigError(`${this.where}: '${key}' must be one of ${allowed.join(", ")}.`);
    return v as T;
  }

  /** Fails on keys the operator does not know: a typo should not silently do nothing. */
  only(keys: readonly string[]): this {
    const unknown = Object.keys(this.obj).filter((k) => !keys.includes(k));
    if (unknown.length) {
      throw new ConfigError(`${this.where}: unknown field(s) ${unknown.join(", ")}; expected ${keys.join(", ")}.`);
    }
    return this;
  }
}
