// Errors as Airflow's API returns them: RFC 7807 problem bodies {type, title, status, detail}
// (plus instance, the request path), with Airflow's titles and documentation links, so clients
// written against Airflow read them unchanged.
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";

export type ProblemKind = "BadRequest" | "NotFound" | "AlreadyExists" | "Unknown";

const STATUS: Record<ProblemKind, number> = { BadRequest: 400, NotFound: 404, AlreadyExists: 409, Unknown: 500 };
const DEFAULT_TITLE: Record<ProblemKind, string> = {
  BadRequest: "Bad Request",
  NotFound: "Not Found",
  AlreadyExists: "Conflict",
  Unknown: "Internal Server Error",
};
const ERRORS_DOC = "https://airflow.apache.org/docs/apache-airflow/2.10.5/stable-rest-api-ref.html#section/Errors/";

export class ApiProblem extends Error {
  override name = "ApiProblem";
  constructor(readonly kind: ProblemKind, readonly detail: string, readonly title: string = DEFAULT_TITLE[kind]) {
    super(detail);
  }
}

export const badRequest = (detail: string) => new ApiProblem("BadRequest", detail);
export const notFound = (title: string, detail: string) => new ApiProblem("NotFound", detail, title);
export const alreadyExists = (detail: string) => new ApiProblem("AlreadyExists", detail);

export const dagNotFound = (dagId: string) => notFound("DAG not found", `DAG with dag_id: '${dagId}' not found`);

export function problemResponse(request: HttpRequest, problem: ApiProblem): HttpResponseInit {
  return {
    status: STATUS[problem.kind],
    headers: { "content-type": "application/problem+json" },
    jsonBody: {
      detail: problem.detail,
      instance: new URL(request.url).pathname,
      status: STATUS[problem.kind],
      title: problem.title,
      type: `${ERRORS_DOC}${problem.kind}`,
    },
  };
}

/** Wraps an API handler: thrown ApiProblems become their responses, anything else a logged 500. */
export function apiHandler(handler: (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (err) {
      if (err instanceof ApiProblem) return problemResponse(request, err);
      context.error(`${request.method} ${new URL(request.url).pathname} failed: ${(err as Error).stack ?? String(err)}`);
      return problemResponse(request, new ApiProblem("Unknown", err instanceof Error ? err.message : String(err)));
    }
  };
}
