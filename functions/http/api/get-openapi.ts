// GET /api/v1/openapi.yaml: the OpenAPI document of exactly the operations azflow serves, each as
// Airflow 2.10.5's v1 spec defines it (generated from that spec by tools/openapi/build-spec.ts).
import type { HttpResponseInit } from "@azure/functions";
import * as fs from "node:fs";
import * as path from "node:path";
import { appRoot } from "../../activities/task-activity";
import { apiRoute } from "./api-route";

export function openApiDocumentPath(): string {
  return path.join(appRoot(), "functions", "http", "api", "openapi", "v1.yaml");
}

let cached: string | undefined;

export async function getOpenApi(): Promise<HttpResponseInit> {
  cached ??= await fs.promises.readFile(openApiDocumentPath(), "utf8");
  return { status: 200, headers: { "content-type": "application/yaml; charset=utf-8" }, body: cached };
}

apiRoute("api_get_openapi", "GET", "openapi.yaml", getOpenApi);
