// Calls one registered handler the way the Node worker does: a fresh InvocationContext built
// from the function's bindings, extra inputs filled in, and host.json functionTimeout enforced.
import { randomBytes, randomUUID } from "node:crypto";
import { InvocationContext } from "@azure/functions";
import type { Binding, RegisteredFunction } from "./registry";

export type LogSink = (line: string) => void;

export interface InvokeOptions {
  timeoutMs: number;
  log?: LogSink;
  /** Values for extra input bindings, keyed by binding type (e.g. durableClient). */
  extraInputsByType?: Record<string, unknown>;
  triggerMetadata?: Record<string, unknown>;
  invocationId?: string;
}

type InvocationContextInit = ConstructorParameters<typeof InvocationContext>[0];
type ContextOptions = NonNullable<NonNullable<InvocationContextInit>["options"]>;

export class FunctionTimeoutError extends Error {
  constructor(functionName: string, timeoutMs: number, invocationId: string) {
    super(`Timeout value of ${formatTimeSpan(timeoutMs)} exceeded by function '${functionName}' (Id: '${invocationId}'). Initiating cancellation.`);
    this.name = "FunctionTimeoutException";
  }
}

function formatTimeSpan(ms: number): string {
  const total = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, "0");
  const frac = ms % 1000 ? `.${String(ms % 1000).padStart(3, "0")}` : "";
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}${frac}`;
}

export function createInvocationContext(fn: RegisteredFunction, opts: Omit<InvokeOptions, "timeoutMs">): InvocationContext {
  const invocationId = opts.invocationId ?? randomUUID();
  const log = opts.log;
  const options = {
    trigger: fn.trigger,
    extraInputs: fn.inputs,
    extraOutputs: fn.outputs,
    return: fn.returnBinding,
  } as unknown as ContextOptions; // bindings carry the registered shape; the SDK's types are unions of it
  const context = new InvocationContext({
    invocationId,
    functionName: fn.name,
    options,
    triggerMetadata: opts.triggerMetadata,
    // The host starts a trace per invocation and passes its W3C traceparent to the worker.
    traceContext: { traceParent: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-01`, traceState: "", attributes: {} },
    logHandler: (level, ...args) => log?.(`[${fn.name}] ${level}: ${args.map(String).join(" ")}`),
  });
  for (const binding of fn.inputs as Binding[]) {
    const value = opts.extraInputsByType?.[binding.type];
    if (value !== undefined) context.extraInputs.set(binding.name, value);
  }
  return context;
}

/** Runs the handler; rejects with FunctionTimeoutError when it outlives functionTimeout. */
export async function invokeFunction(fn: RegisteredFunction, triggerInput: unknown, opts: InvokeOptions): Promise<{ result: unknown; context: InvocationContext }> {
  const context = createInvocationContext(fn, opts);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new FunctionTimeoutError(fn.name, opts.timeoutMs, context.invocationId)), opts.timeoutMs);
    timer.unref();
  });
  try {
    // The handler may throw synchronously: wrap it so it becomes a rejection like an async throw.
    const result = await Promise.race([Promise.resolve().then(() => fn.handler(triggerInput, context)), timeout]);
    return { result, context };
  } finally {
    clearTimeout(timer);
  }
}
