// The PythonOperator of azflow: a TypeScript function registered by name and called with the
// task's arguments. Its return value is the XCom; returning skip(...) skips the task.
import { ConfigError, ConfigReader } from "./config-reader";
import { OperatorContext, OperatorDefinition } from "./operator";

export type TaskCallable = (kwargs: Record<string, unknown>, ctx: OperatorContext) => unknown | Promise<unknown>;

const callables = new Map<string, TaskCallable>();

/** Register a callable under a stable name; DAG files refer to it by that name. */
export function registerCallable(name: string, fn: TaskCallable): void {
  if (!/^[A-Za-z_][\w.]*$/.test(name)) throw new Error(`Callable name '${name}' is not valid.`);
  if (callables.has(name) && callables.get(name) !== fn) throw new Error(`Callable '${name}' is registered twice.`);
  callables.set(name, fn);
}

export function registeredCallables(): string[] {
  return [...callables.keys()].sort();
}

export const callableOperator: OperatorDefinition<{ callable: string; kwargs: Record<string, unknown> }> = {
  name: "python",
  templateFields: ["kwargs"],
  parse(config, where) {
    const c = new ConfigReader(config, where);
    const name = c.string("callable");
    if (!callables.has(name)) {
      throw new ConfigError(`${where}: callable '${name}' is not registered (known: ${registeredCallables().join(", ") || "none"}).`);
    }
    const kwargs = c.raw("kwargs") ?? {};
    if (typeof kwargs !== "object" || Array.isArray(kwargs)) throw new ConfigError(`${where}: 'kwargs' must be an object.`);
    // Other top-level fields are keyword arguments too: that is where expand() puts the mapped
    // arguments (TaskFlow's `task.expand(x=[...])`).
    const { callable: _name, kwargs: _kwargs, ...mapped } = config as Record<string, unknown>;
    return { callable: name, kwargs: { ...(kwargs as Record<string, unknown>), ...mapped } };
  },
  async execute(config, ctx) {
    return callables.get(config.callable)!(config.kwargs, ctx);
  },
};
