// Whatever no API route serves answers with Airflow's problem body (404 Not Found, or 405 when
// the path exists with other methods) instead of the host's empty 404. Registered last, with a
// catch-all route, which the Functions host (ASP.NET routing) and the local host both try last.
import { app } from "@azure/functions";
import { isKnownApiPath } from "./api-route";
import { apiHandler, methodNotAllowed, routeNotFound } from "./problem";

app.http("api_unknown_route", {
  route: "v1/{*path}",
  methods: ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"],
  authLevel: "function",
  handler: apiHandler(async (request) => {
    const path = (request.params.path ?? "").replace(/^\/+/, "");
    throw isKnownApiPath(path) ? methodNotAllowed() : routeNotFound();
  }),
});
