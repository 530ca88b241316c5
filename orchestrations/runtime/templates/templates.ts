import type { CompiledDag } from "../model/compiled-dag";
import { isPlainObject } from "../model/json";
import { FormatError, strftime, strptime } from "../time/strftime";
import { Node, parseExpression } from "./template-parser";
import { expectString, Kwargs, pythonStr, pythonType, TemplateDateTime, TemplateError, TemplateFunction } from "./template-values";
import { airflowIso, InstantInput, parseInstant } from "../time/time";

// Airflow's template context and a Jinja-compatible renderer for `{{ expr }}` (no {% %} blocks).
// Undefined names are errors, as with Airflow's StrictUndefined, so a typo never renders as "".
export { TemplateError, TemplateDateTime, TemplateFunction } from "./template-values";

export type TemplateContext = Readonly<Record<string, unknown>>;

/** Reads an XCom: the value one task pushed under `key` in this run (undefined/null when none). */
export type XComLookup = (taskId: string, key: string) => unknown;

export interface TemplateRun {
  dagId: string;
  taskId: string;
  runId: string;
  runType?: string;
  logicalDate: InstantInput;
  dataIntervalStart: InstantInput;
  dataIntervalEnd: InstantInput;
  conf?: Record<string, unknown>;
  tryNumber?: number;
  mapIndex?: number;
  /** params: DAG params < task params < dag_run.conf. */
  dagParams?: Record<string, unknown>;
  taskParams?: Record<string, unknown>;
  xcom?: XComLookup;
  /** Airflow Variables by key, read by the activity before rendering (`var.value.x`, `var.json.x`). */
  variables?: Readonly<Record<string, string>>;
}

/** Airflow's `var` accessor: `var.value.<key>` is the text, `var.json.<key>` its JSON, parsed when read. */
function variableAccessor(variables: Readonly<Record<string, string>>): Record<string, unknown> {
  const json: Record<string, unknown> = {};
  for (const [key, text] of Object.entries(variables)) {
    Object.defineProperty(json, key, {
      enumerable: true,
      get: () => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new TemplateError(`Variable '${key}' is not valid JSON (var.json.${key})`);
        }
      },
    });
  }
  return { value: { ...variables }, json };
}

const fn = (name: string, call: (args: unknown[], kwargs: Kwargs) => unknown) => new TemplateFunction(name, call);
const arg = (args: unknown[], kwargs: Kwargs, index: number, name: string): unknown => (name in kwargs ? kwargs[name] : args[index]);

function asDateTime(value: unknown, what: string): TemplateDateTime {
  if (value instanceof TemplateDateTime) return value;
  if (typeof value === "string") return new TemplateDateTime(parseInstant(value));
  throw new TemplateError(`${what} needs a date-time, got ${pythonType(value)}`);
}

/** Airflow's macros module: ds_add and ds_format. */
export const MACROS: Readonly<Record<string, unknown>> = {
  ds_add: fn("ds_add", (args, kwargs) => {
    const ds = expectString(arg(args, kwargs, 0, "ds"), "ds_add ds");
    const days = arg(args, kwargs, 1, "days");
    if (typeof days !== "number" || !Number.isInteger(days)) throw new TemplateError(`ds_add days must be an integer, got ${pythonType(days)}`);
    return strftime(strptime(ds, "%Y-%m-%d") + days * 86_400_000, "%Y-%m-%d");
  }),
  ds_format: fn("ds_format", (args, kwargs) => {
    const ds = expectString(arg(args, kwargs, 0, "ds"), "ds_format ds");
    const input = expectString(arg(args, kwargs, 1, "input_format"), "ds_format input_format");
    const output = expectString(arg(args, kwargs, 2, "output_format"), "ds_format output_format");
    return strftime(strptime(ds, input), output);
  }),
};

/** Airflow's template filters plus the Jinja built-ins DAG templates commonly use. */
const FILTERS: Readonly<Record<string, (value: unknown, args: unknown[], kwargs: Kwargs) => unknown>> = {
  ds: (v) => strftime(asDateTime(v, "| ds").ms, "%Y-%m-%d"),
  ds_nodash: (v) => strftime(asDateTime(v, "| ds_nodash").ms, "%Y%m%d"),
  ts: (v) => airflowIso(asDateTime(v, "| ts").ms),
  ts_nodash: (v) => strftime(asDateTime(v, "| ts_nodash").ms, "%Y%m%dT%H%M%S"),
  ts_nodash_with_tz: (v) => strftime(asDateTime(v, "| ts_nodash_with_tz").ms, "%Y%m%dT%H%M%S+0000"),
  upper: (v) => expectString(v, "| upper").toUpperCase(),
  lower: (v) => expectString(v, "| lower").toLowerCase(),
  trim: (v) => expectString(v, "| trim").trim(),
  string: (v) => pythonStr(v),
  int: (v) => (typeof v === "number" ? Math.trunc(v) : Number.isNaN(parseInt(String(v), 10)) ? 0 : parseInt(String(v), 10)),
  length: (v) => (typeof v === "string" || Array.isArray(v) ? v.length : isPlainObject(v) ? Object.keys(v).length : 0),
  tojson: (v) => JSON.stringify(v instanceof TemplateDateTime ? v.toString() : v),
  join: (v, args) => (Array.isArray(v) ? v.map(pythonStr).join(typeof args[0] === "string" ? args[0] : "") : pythonStr(v)),
  replace: (v, args) => expectString(v, "| replace").split(expectString(args[0], "replace old")).join(expectString(args[1], "replace new")),
  default: (v, args) => (v === undefined ? (args[0] ?? "") : v),
};
const FILTER_ALIASES: Record<string, string> = { d: "default" };

const MISSING = Symbol("missing");

function dictAttribute(target: Record<string, unknown>, name: string): unknown {
  switch (name) {
    case "get": return fn("get", (args) => (Object.hasOwn(target, String(args[0])) ? target[String(args[0])] : (args[1] ?? null)));
    case "keys": return fn("keys", () => Object.keys(target));
    case "values": return fn("values", () => Object.values(target));
    case "items": return fn("items", () => Object.entries(target));
  }
  return Object.hasOwn(target, name) ? target[name] : MISSING;
}

function stringAttribute(target: string, name: string): unknown {
  switch (name) {
    case "upper": return fn("upper", () => target.toUpperCase());
    case "lower": return fn("lower", () => target.toLowerCase());
    case "strip": return fn("strip", () => target.trim());
    case "replace": return fn("replace", ([a, b]) => target.split(expectString(a, "replace old")).join(expectString(b, "replace new")));
    case "split": return fn("split", ([sep]) => (sep === undefined || sep === null ? target.trim().split(/\s+/) : target.split(expectString(sep, "split separator"))));
    case "startswith": return fn("startswith", ([p]) => target.startsWith(expectString(p, "startswith prefix")));
    case "endswith": return fn("endswith", ([p]) => target.endsWith(expectString(p, "endswith suffix")));
    case "format": return fn("format", (args) => { let i = 0; return target.replace(/\{\}/g, () => pythonStr(args[i++])); });
  }
  return MISSING;
}

/** Jinja's getattr: Python attributes first, then items. */
function getAttribute(target: unknown, name: string, path: string): unknown {
  let value: unknown = MISSING;
  if (target instanceof TemplateDateTime) return target.attribute(name);
  if (typeof target === "string") value = stringAttribute(target, name);
  else if (isPlainObject(target)) value = dictAttribute(target, name);
  if (value === MISSING) throw new TemplateError(`'${path}' has no attribute '${name}' (${pythonType(target)} object)`);
  return value;
}

/** Jinja's getitem: items first, then attributes. */
function getItem(target: unknown, index: unknown, path: string): unknown {
  if (Array.isArray(target) && typeof index === "number") {
    const i = index < 0 ? target.length + index : index;
    if (!Number.isInteger(i) || i < 0 || i >= target.length) throw new TemplateError(`'${path}' has no index ${index} (list of ${target.length})`);
    return target[i];
  }
  if (typeof target === "string" && typeof index === "number") return target.at(index) ?? (() => { throw new TemplateError(`'${path}' has no index ${index}`); })();
  if (isPlainObject(target) && typeof index === "string" && Object.hasOwn(target, index)) return target[index];
  if (typeof index === "string") return getAttribute(target, index, path);
  throw new TemplateError(`'${path}' has no item ${pythonStr(index)}`);
}

function describe(node: Node): string {
  switch (node.type) {
    case "name": return node.name;
    case "attr": return `${describe(node.target)}.${node.name}`;
    case "index": return `${describe(node.target)}[...]`;
    case "call": return `${describe(node.target)}()`;
    default: return "expression";
  }
}

function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isPlainObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

function equal(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function binary(op: string, a: unknown, b: unknown): unknown {
  switch (op) {
    case "~": return pythonStr(a) + pythonStr(b);
    case "==": return equal(a, b);
    case "!=": return !equal(a, b);
    case "in":
      if (typeof b === "string") return b.includes(expectString(a, "'in' left side"));
      if (Array.isArray(b)) return b.some((item) => equal(item, a));
      if (isPlainObject(b)) return Object.hasOwn(b, String(a));
      throw new TemplateError(`argument of type '${pythonType(b)}' is not iterable`);
  }
  if (op === "+" && typeof a === "string" && typeof b === "string") return a + b;
  if (op === "+" && Array.isArray(a) && Array.isArray(b)) return [...a, ...b];
  if (typeof a !== "number" || typeof b !== "number") {
    throw new TemplateError(`unsupported operand types for ${op}: '${pythonType(a)}' and '${pythonType(b)}'`);
  }
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return a / b;
    case "//": return Math.floor(a / b);
    case "%": return ((a % b) + b) % b;
    case "<": return a < b;
    case ">": return a > b;
    case "<=": return a <= b;
    case ">=": return a >= b;
  }
  throw new TemplateError(`unknown operator ${op}`);
}

function evaluate(node: Node, context: TemplateContext): unknown {
  const evalArgs = (args: Node[], kwargs: [string, Node][]): [unknown[], Kwargs] => [
    args.map((a) => evaluate(a, context)),
    Object.fromEntries(kwargs.map(([k, v]) => [k, evaluate(v, context)])),
  ];
  switch (node.type) {
    case "literal": return node.value;
    case "name":
      if (!Object.hasOwn(context, node.name)) throw new TemplateError(`'${node.name}' is undefined`);
      return context[node.name];
    case "list": return node.items.map((item) => evaluate(item, context));
    case "dict": return Object.fromEntries(node.entries.map(([k, v]) => [pythonStr(evaluate(k, context)), evaluate(v, context)]));
    case "attr": return getAttribute(evaluate(node.target, context), node.name, describe(node.target));
    case "index": return getItem(evaluate(node.target, context), evaluate(node.index, context), describe(node.target));
    case "call": {
      const target = evaluate(node.target, context);
      if (!(target instanceof TemplateFunction)) throw new TemplateError(`'${describe(node.target)}' is not callable (${pythonType(target)} object)`);
      const [args, kwargs] = evalArgs(node.args, node.kwargs);
      return target.call(args, kwargs);
    }
    case "filter": {
      const name = FILTER_ALIASES[node.name] ?? node.name;
      const filter = FILTERS[name];
      if (filter === undefined) throw new TemplateError(`no filter named '${node.name}'`);
      let value: unknown;
      try {
        value = evaluate(node.target, context);
      } catch (error) {
        // `default` is the one filter that accepts an undefined value.
        if (name !== "default" || !(error instanceof TemplateError)) throw error;
        value = undefined;
      }
      const [args, kwargs] = evalArgs(node.args, node.kwargs);
      return filter(value, args, kwargs);
    }
    case "unary": {
      const value = evaluate(node.operand, context);
      if (node.op === "not") return !truthy(value);
      if (typeof value !== "number") throw new TemplateError(`bad operand type for unary -: '${pythonType(value)}'`);
      return -value;
    }
    case "binary":
      if (node.op === "and") { const l = evaluate(node.left, context); return truthy(l) ? evaluate(node.right, context) : l; }
      if (node.op === "or") { const l = evaluate(node.left, context); return truthy(l) ? l : evaluate(node.right, context); }
      return binary(node.op, evaluate(node.left, context), evaluate(node.right, context));
    case "cond": return truthy(evaluate(node.test, context)) ? evaluate(node.then, context) : evaluate(node.otherwise, context);
  }
}

/** Evaluates one expression (the inside of `{{ }}`) to its value. */
export function evaluateExpression(expression: string, context: TemplateContext): unknown {
  try {
    return evaluate(parseExpression(expression), context);
  } catch (error) {
    if (error instanceof TemplateError) throw new TemplateError(`${error.message} in {{ ${expression.trim()} }}`);
    if (error instanceof FormatError) throw new TemplateError(`${error.message} in {{ ${expression.trim()} }}`);
    throw error;
  }
}

/** Renders `{{ expr }}` placeholders; `{# comments #}` are dropped; `{% %}` blocks are rejected. */
export function render(template: string, context: TemplateContext): string {
  const withoutComments = template.replace(/\{#[\s\S]*?#\}/g, "");
  if (/\{%/.test(withoutComments)) throw new TemplateError("{% %} statement blocks are not supported; compute the value in a task and pass it by XCom or params");
  let out = "";
  let pos = 0;
  for (;;) {
    const open = withoutComments.indexOf("{{", pos);
    if (open < 0) return out + withoutComments.slice(pos);
    const close = withoutComments.indexOf("}}", open + 2);
    if (close < 0) throw new TemplateError(`unclosed '{{' in template "${template}"`);
    out += withoutComments.slice(pos, open) + pythonStr(evaluateExpression(withoutComments.slice(open + 2, close), context));
    pos = close + 2;
  }
}

/** Renders every string inside a config (objects and arrays are walked; other values are kept). */
export function renderDeep(value: unknown, context: TemplateContext): unknown {
  if (typeof value === "string") return value.includes("{{") || value.includes("{#") ? render(value, context) : value;
  if (Array.isArray(value)) return value.map((item) => renderDeep(item, context));
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, context)]));
  return value;
}

/** Airflow's template context for one task instance. */
export function buildTemplateContext(run: TemplateRun): TemplateContext {
  const logical = new TemplateDateTime(parseInstant(run.logicalDate));
  const start = new TemplateDateTime(parseInstant(run.dataIntervalStart));
  const end = new TemplateDateTime(parseInstant(run.dataIntervalEnd));
  const conf = run.conf ?? {};
  const params = { ...(run.dagParams ?? {}), ...(run.taskParams ?? {}), ...conf };
  const xcomPull = fn("xcom_pull", (args, kwargs) => {
    const taskIds = arg(args, kwargs, 0, "task_ids");
    const keyArg = kwargs.key ?? "return_value";
    const key = expectString(keyArg, "xcom_pull key");
    const lookup = run.xcom ?? (() => null);
    const pull = (id: unknown) => lookup(expectString(id, "xcom_pull task_ids"), key) ?? null;
    if (taskIds === undefined || taskIds === null) return pull(run.taskId);
    return Array.isArray(taskIds) ? taskIds.map(pull) : pull(taskIds);
  });
  const ti = {
    dag_id: run.dagId, task_id: run.taskId, run_id: run.runId,
    try_number: run.tryNumber ?? 1, map_index: run.mapIndex ?? -1, xcom_pull: xcomPull,
  };
  return {
    ds: strftime(logical.ms, "%Y-%m-%d"),
    ds_nodash: strftime(logical.ms, "%Y%m%d"),
    ts: airflowIso(logical.ms),
    ts_nodash: strftime(logical.ms, "%Y%m%dT%H%M%S"),
    ts_nodash_with_tz: strftime(logical.ms, "%Y%m%dT%H%M%S+0000"),
    logical_date: logical,
    execution_date: logical,
    data_interval_start: start,
    data_interval_end: end,
    run_id: run.runId,
    dag_run: {
      dag_id: run.dagId, run_id: run.runId, run_type: run.runType ?? run.runId.split("__")[0], conf,
      logical_date: logical, execution_date: logical, data_interval_start: start, data_interval_end: end,
      external_trigger: run.runType === "manual",
    },
    dag: { dag_id: run.dagId },
    task: { task_id: run.taskId },
    ti,
    task_instance: ti,
    params,
    macros: MACROS,
    var: variableAccessor(run.variables ?? {}),
    test_mode: false,
  };
}

/** The same, taking the DAG and task params from the compiled DAG. */
export function templateContextFor(dag: CompiledDag, run: Omit<TemplateRun, "dagId" | "dagParams" | "taskParams">): TemplateContext {
  const task = dag.tasks[run.taskId];
  if (task === undefined) throw new TemplateError(`DAG '${dag.dagId}' has no task '${run.taskId}'`);
  return buildTemplateContext({ ...run, dagId: dag.dagId, dagParams: dag.params, taskParams: task.params });
}
