// Matches requests to HTTP-triggered functions the way the host's routing does: route templates
// under the route prefix (default route = function name), {param}, {param?}, {param:constraint}
// and {*catchAll}; case-insensitive; methods from the trigger (GET and POST when unset).
import type { RegisteredFunction } from "./registry";

export interface HttpRoute {
  fn: RegisteredFunction;
  methods: string[];
  template: string;
  match(pathname: string): Record<string, string> | undefined;
}

// The common ASP.NET route constraints; others (length, range, regex) only match a segment.
const CONSTRAINTS: Record<string, string> = {
  int: "-?\\d+",
  long: "-?\\d+",
  alpha: "[A-Za-z]+",
  bool: "(?:true|false)",
  guid: "[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{4}-?[0-9A-Fa-f]{12}",
  double: "-?\\d+(?:\\.\\d+)?",
  decimal: "-?\\d+(?:\\.\\d+)?",
  float: "-?\\d+(?:\\.\\d+)?",
};

function compile(prefix: string, template: string): (pathname: string) => Record<string, string> | undefined {
  const names: string[] = [];
  const segments = [prefix, ...template.split("/")].filter(Boolean);
  let source = "";
  for (const segment of segments) {
    const param = /^\{(\*?)([A-Za-z_][\w]*)(?::([^}?]+))?(\?)?\}$/.exec(segment);
    if (!param) {
      source += "/" + segment.replace(/[.*+?^$()|[\]\\{}]/g, "\\$&");
      continue;
    }
    const [, catchAll, name, constraint, optional] = param;
    names.push(name);
    const value = catchAll ? "(.*)" : `(${CONSTRAINTS[(constraint ?? "").toLowerCase()] ?? "[^/]+"})`;
    source += optional || catchAll ? `(?:/${value})?` : `/${value}`;
  }
  const re = new RegExp(`^${source || ""}/?$`, "i");
  return (pathname) => {
    const m = re.exec(pathname);
    if (!m) return undefined;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      if (m[i + 1] !== undefined) params[n] = decodeURIComponent(m[i + 1]);
    });
    return params;
  };
}

function precedence(template: string): number {
  if (template.includes("{*")) return 2;
  return template.includes("{") ? 1 : 0;
}

export function buildRoutes(functions: RegisteredFunction[], routePrefix: string): HttpRoute[] {
  return functions
    .filter((fn) => fn.triggerType === "httpTrigger")
    .map((fn) => {
      const template = typeof fn.trigger.route === "string" ? fn.trigger.route : fn.name;
      const methods = (Array.isArray(fn.trigger.methods) ? (fn.trigger.methods as string[]) : ["GET", "POST"]).map((m) => m.toUpperCase());
      return { fn, methods, template, match: compile(routePrefix, template) };
    })
    // Literal routes before parameterised ones, and catch-alls ({*rest}) last, as the host's
    // route precedence does.
    .sort((a, b) => precedence(a.template) - precedence(b.template));
}

export function findRoute(routes: HttpRoute[], method: string, pathname: string): { route: HttpRoute; params: Record<string, string> } | "method-not-allowed" | undefined {
  let pathMatched = false;
  for (const route of routes) {
    const params = route.match(pathname);
    if (!params) continue;
    pathMatched = true;
    if (route.methods.includes(method.toUpperCase())) return { route, params };
  }
  return pathMatched ? "method-not-allowed" : undefined;
}
