// The functions an app registered, with their binding metadata and handlers, as the host sees them.
import type { CoreFunctionCallback, CoreFunctionMetadata } from "./core-api";

/** One binding as registered: `name`, `type`, `direction` plus the type's own options. */
export type Binding = Record<string, unknown> & { name: string; type: string; direction: "in" | "out" };

export interface RegisteredFunction {
  name: string;
  /** e.g. httpTrigger, timerTrigger, blobTrigger, activityTrigger, orchestrationTrigger */
  triggerType: string;
  trigger: Binding;
  inputs: Binding[];
  outputs: Binding[];
  returnBinding?: Binding;
  handler: CoreFunctionCallback;
  retryOptions?: unknown;
}

const RETURN_BINDING = "$return";

export class FunctionRegistry {
  // The host treats function names case-insensitively (activity names in callActivity too).
  private readonly byName = new Map<string, RegisteredFunction>();

  add(metadata: CoreFunctionMetadata, handler: CoreFunctionCallback): RegisteredFunction {
    const key = metadata.name.toLowerCase();
    if (this.byName.has(key)) throw new Error(`Duplicate function name "${metadata.name}": function names must be unique within an app.`);
    const bindings = Object.entries(metadata.bindings).map(([name, b]) => ({ ...b, name }) as Binding);
    const triggers = bindings.filter((b) => b.direction === "in" && /trigger$/i.test(b.type));
    if (triggers.length !== 1) throw new Error(`Function "${metadata.name}" must have exactly one trigger, found ${triggers.length}.`);
    const trigger = triggers[0];
    const fn: RegisteredFunction = {
      name: metadata.name,
      triggerType: trigger.type,
      trigger,
      inputs: bindings.filter((b) => b !== trigger && b.direction === "in"),
      outputs: bindings.filter((b) => b.direction === "out" && b.name !== RETURN_BINDING),
      returnBinding: bindings.find((b) => b.name === RETURN_BINDING),
      handler,
      retryOptions: metadata.retryOptions,
    };
    this.byName.set(key, fn);
    return fn;
  }

  get(name: string): RegisteredFunction | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /** The function `name` with trigger `triggerType`, or a clear error naming what exists. */
  require(name: string, triggerType: string): RegisteredFunction {
    const fn = this.get(name);
    if (!fn || fn.triggerType !== triggerType) {
      const known = this.byTrigger(triggerType).map((f) => f.name);
      const kind = triggerType.replace(/Trigger$/, "");
      throw new Error(`The function '${name}' doesn't exist, is disabled, or is not ${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind} function. Known ${kind} functions: ${known.join(", ") || "(none)"}.`);
    }
    return fn;
  }

  list(): RegisteredFunction[] {
    return [...this.byName.values()];
  }

  byTrigger(triggerType: string): RegisteredFunction[] {
    return this.list().filter((f) => f.triggerType === triggerType);
  }
}

/** One line per function: name, trigger type and what fires it (route, schedule, blob path). */
export function describeFunction(fn: RegisteredFunction, routePrefix: string): string {
  const t = fn.trigger;
  let detail = "";
  switch (fn.triggerType) {
    case "httpTrigger": {
      const methods = Array.isArray(t.methods) ? (t.methods as string[]).join(",") : "GET,POST";
      const route = typeof t.route === "string" ? t.route : fn.name;
      detail = `[${methods}] /${routePrefix ? routePrefix + "/" : ""}${route} (auth: ${String(t.authLevel ?? "function")})`;
      break;
    }
    case "timerTrigger":
      detail = `schedule ${String(t.schedule)}${t.runOnStartup ? " (runOnStartup)" : ""}`;
      break;
    case "blobTrigger":
      detail = `path ${String(t.path)} (connection ${String(t.connection ?? "AzureWebJobsStorage")})`;
      break;
  }
  const inputs = fn.inputs.map((b) => b.type);
  const extras = inputs.length ? ` inputs: ${inputs.join(",")}` : "";
  return `${fn.name.padEnd(28)} ${fn.triggerType.padEnd(22)} ${detail}${extras}`.trimEnd();
}
