// Every REST API route is registered here: as an HTTP function under `api/v1/...` (function-key
// auth in Azure) wrapped in the API's error handling, and in the route list that tells an unknown
// path (404) from a known path asked with the wrong method (405), and that the OpenAPI test checks.
import { app, type HttpMethod, type HttpRequest, type HttpResponseInit, type InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { apiHandler } from "./problem";

export interface ApiRoute {
  /** Under /api/v1, with {param} placeholders ({name:int} for integers). */
  template: string;
  method: HttpMethod;
  name: string;
}

const routes: ApiRoute[] = [];

export function registeredApiRoutes(): readonly ApiRoute[] {
  return routes;
}

export function apiRoute(
  name: string,
  method: HttpMethod,
  template: string,
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
  options: { durableClient?: boolean; anonymous?: boolean } = {},
): void {
  routes.push({ template, method, name });
  app.http(name, {
    route: `v1/${template}`,
    methods: [method],
    authLevel: options.anonymous ? "anonymous" : "function",
    extraInputs: options.durableClient ? [df.input.durableClient()] : [],
    handler: apiHandler(handler),
  });
}

function templatePattern(template: string): RegExp {
  const source = template.split("/").map((segment) => {
    const param = /^\{(\w+)(?::(\w+))?\}$/.exec(segment);
    if (!param) return segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    return param[2] === "int" ? "-?\\d+" : "[^/]+";
  }).join("/");
  return new RegExp(`^${source}/?$`, "i");
}

/**
 * The methods this path (under /api/v1) is documented with; none for an unknown path. A literal
 * route (dags/~/dagRuns/list) speaks for its path even where a parameterised one also matches.
 */
export function allowedMethods(path: string): string[] {
  const matching = routes.filter((r) => templatePattern(r.template).test(path));
  const literal = matching.filter((r) => !r.template.includes("{"));
  return [...new Set((literal.length ? literal : matching).map((r) => r.method))];
}

/**
 * A JSON endpoint of Airflow's web server that its UI reads (`/object/grid_data`, ...), served at
 * `/api/object/...` with the same auth, problem bodies and ETags as the REST API. These are not in
 * the v1 document (Airflow's spec has none of them), so they are kept out of its route list.
 */
export function objectRoute(
  name: string,
  template: string,
  handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>,
): void {
  app.http(name, {
    route: `object/${template}`,
    methods: ["GET"],
    authLevel: "function",
    extraInputs: [df.input.durableClient()],
    handler: apiHandler(handler),
  });
}
