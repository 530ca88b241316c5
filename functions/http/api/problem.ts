// Errors as Airflow's API returns them: RFC 7807 problem bodies {type, title, status, detail}
// (plus instance, the request path), with Airflow's titles and documentation links, so clients
// written against Airflow read them unchanged. Unexpected errors are logged with their cause and
// answered with a reference to that log line only: storage internals never reach a client.
import { createHash } from "node:crypto";
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";

export type ProblemKind = "BadRequest" | "NotFound" | "MethodNotAllowed" | "AlreadyExists" | "PayloadTooLarge" | "Unknown";

const STATUS: Record<ProblemKind, number> = { BadRequest: 400, NotFound: 404, MethodNotAllowed: 405, AlreadyExists: 409, PayloadTooLarge: 413, Unknown: 500 };
const DEFAULT_TITLE: Record<ProblemKind, string> = {
  BadRequest: "Bad Request",
  NotFound: "Not Found",
  MethodNotAllowed: "Method Not Allowed",
  AlreadyExists: "Conflict",
  PayloadTooLarge: "Request Entity Too Large",
  Unknown: "Internal Server Error",
};
const ERRORS_DOC = "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html#section/Errors/";

export class ApiProblem extends Error {
  override name = "ApiProblem";
  constructor(readonly kind: ProblemKind, readonly detail: string, readonly title: string = DEFAULT_TITLE[kind], readonly type?: string) {
    super(detail);
  }
}

export const badRequest = (detail: string, title?: string) => new ApiProblem("BadRequest", detail, title);
export const notFound = (title: string, detail: string) => new ApiProblem("NotFound", detail, title);
export const alreadyExists = (detail: string) => new ApiProblem("AlreadyExists", detail);

export const dagNotFound = (dagId: string) => notFound("DAG not found", `DAG with dag_id: '${dagId}' not found`);
export const dagRunNotFound = (dagId: string, runId: string) => notFound("DAGRun not found", `DAGRun with DAG ID: '${dagId}' and DagRun ID: '${runId}' not found`);

/** What Flask answers for a path no route serves, and a method a route does not take (Airflow's bodies). */
export const routeNotFound = () => new ApiProblem("NotFound",
  "The requested URL was not found on the server. If you entered the URL manually please check your spelling and try again.", "Not Found", "about:blank");
export const methodNotAllowed = () => new ApiProblem("MethodNotAllowed", "The method is not allowed for the requested URL.", "Method Not Allowed", "about:blank");

export function problemResponse(request: HttpRequest, problem: ApiProblem): HttpResponseInit {
  return {
    status: STATUS[problem.kind],
    headers: { "content-type": "application/problem+json" },
    jsonBody: {
      detail: problem.detail,
      instance: new URL(request.url).pathname,
      status: STATUS[problem.kind],
      title: problem.title,
      type: problem.type ?? `${ERRORS_DOC}${problem.kind}`,
    },
  };
}

/**
 * GET responses carry an ETag of their body; a client polling with If-None-Match gets 304 while
 * nothing changed (the UI polls run and task-instance lists this way).
 */
function withEtag(request: HttpRequest, response: HttpResponseInit): HttpResponseInit {
  if (request.method !== "GET" || response.status !== 200 || response.jsonBody === undefined) return response;
  const body = JSON.stringify(response.jsonBody);
  const etag = `"${createHash("sha1").update(body).digest("base64url")}"`;
  const headers = { ...(response.headers as Record<string, string> | undefined), etag };
  const presented = (request.headers.get("if-none-match") ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (presented.includes(etag)) return { status: 304, headers };
  return { ...response, body, jsonBody: undefined, headers: { "content-type": "application/json", ...headers } };
}

/** Wraps an API handler: thrown ApiProblems become their responses, anything else a logged 500. */
export function apiHandler(handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    try {
      return withEtag(request, await handler(request, context));
    } catch (err) {
      if (err instanceof ApiProblem) return problemResponse(request, err);
      context.error(`${request.method} ${new URL(request.url).pathname} failed (invocation ${context.invocationId}): ${(err as Error).stack ?? String(err)}`);
      return problemResponse(request, new ApiProblem("Unknown", `The server could not complete the request; its log has the cause under invocation id ${context.invocationId}.`));
    }
  };
}
