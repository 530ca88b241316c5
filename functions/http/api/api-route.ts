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

/** The methods registered routes serve this path (under /api/v1) with; none for an unknown path. */
export function allowedMethods(path: string): string[] {
  return [...new Set(routes.filter((r) => templatePattern(r.template).test(path)).map((r) => r.method))];
}
