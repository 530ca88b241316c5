// Whatever no API route serves answers with Airflow's problem body (404 Not Found, or 405 when
// the path exists with other methods) instead of the host's empty 404. Registered last, with a
// catch-all route, which the Functions host (ASP.NET routing) and the local host both try last.
import { app } from "@azure/functions";
import { allowedMethods } from "./api-route";
import { apiHandler, methodNotAllowed, problemResponse, routeNotFound } from "./problem";

app.http("api_unknown_route", {
  route: "v1/{*path}",
  methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
  authLevel: "function",
  handler: apiHandler(async (request) => {
    const path = (request.params.path ?? "").replace(/^\/+/, "");
    const allowed = allowedMethods(path);
    if (!allowed.length) throw routeNotFound();
    // RFC 9110: a 405 lists the methods the resource takes.
    const response = problemResponse(request, methodNotAllowed());
    return { ...response, headers: { ...(response.headers as Record<string, string>), allow: allowed.join(", ") } };
  }),
});
