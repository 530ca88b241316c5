// /api/v1/variables: Airflow Variables CRUD on Table Storage (functions/variables/variable-store.ts).
// Variables set by AIRFLOW_VAR_<KEY> settings are listed and readable but cannot be changed or
// deleted through the API (400, naming the setting).
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { appVariableStore, type VariableRecord } from "../../variables/variable-store";
import { apiRoute } from "./api-route";
import { badRequest, notFound } from "./problem";
import { compareText, listParam, orderParam, pageOf, pageParams, type Comparator } from "./query";
import { readJsonObject } from "./request-body";

const MAX_KEY_LENGTH = 250;

const ORDERINGS: ReadonlyMap<string, Comparator<VariableRecord>> = new Map<string, Comparator<VariableRecord>>([
  ["key", (a, b) => compareText(a.key, b.key)],
  // Airflow's id is insertion order; keys are what this store can order by.
  ["id", (a, b) => compareText(a.key, b.key)],
  ["value", (a, b) => compareText(a.value, b.value) || compareText(a.key, b.key)],
]);

function resource(v: VariableRecord) {
  return { key: v.key, value: v.value, description: v.description };
}

const variableNotFound = () => notFound("Variable not found", "Variable does not exist");

function readOnly(key: string) {
  return badRequest(`Variable '${key}' is set by the setting AIRFLOW_VAR_${key.toUpperCase()} and cannot be changed through the API`, "Variable is read-only");
}

/** Airflow's VariableSchema load: key and value required strings, description optional. */
async function variableBody(request: HttpRequest): Promise<{ key: string; value: string; description: string | null }> {
  const body = await readJsonObject(request);
  const errors: string[] = [];
  for (const k of Object.keys(body)) if (!["key", "value", "description"].includes(k)) errors.push(`'${k}': ['Unknown field.']`);
  for (const k of ["key", "value"]) {
    if (body[k] === undefined) errors.push(`'${k}': ['Missing data for required field.']`);
    else if (typeof body[k] !== "string") errors.push(`'${k}': ['Not a valid string.']`);
  }
  if (body.description !== undefined && body.description !== null && typeof body.description !== "string") errors.push("'description': ['Not a valid string.']");
  if (errors.length) throw badRequest(`{${errors.join(", ")}}`, "Invalid Variable schema");
  const key = body.key as string;
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) throw badRequest(`{'key': ['Length must be between 1 and ${MAX_KEY_LENGTH}.']}`, "Invalid Variable schema");
  return { key, value: body.value as string, description: (body.description as string | null | undefined) ?? null };
}

export async function getVariables(request: HttpRequest): Promise<HttpResponseInit> {
  const page = pageParams(request.query);
  const order = orderParam(request.query, ORDERINGS, "id");
  const all = (await appVariableStore().list()).sort(order);
  return { status: 200, jsonBody: { variables: pageOf(all, page).map(resource), total_entries: all.length } };
}

export async function postVariable(request: HttpRequest): Promise<HttpResponseInit> {
  const v = await variableBody(request);
  const store = appVariableStore();
  if ((await store.get(v.key))?.readOnly) throw readOnly(v.key);
  await store.put(v.key, v.value, v.description);
  return { status: 200, jsonBody: v };
}

export async function getVariable(request: HttpRequest): Promise<HttpResponseInit> {
  const v = await appVariableStore().get(request.params.variable_key);
  if (!v) throw variableNotFound();
  return { status: 200, jsonBody: resource(v) };
}

export async function patchVariable(request: HttpRequest): Promise<HttpResponseInit> {
  const key = request.params.variable_key;
  const v = await variableBody(request);
  if (v.key !== key) throw badRequest("key from request body doesn't match uri parameter", "Invalid post body");
  const store = appVariableStore();
  const existing = await store.get(key);
  if (!existing) throw variableNotFound();
  if (existing.readOnly) throw readOnly(key);
  const mask = listParam(request.query, "update_mask");
  const unknown = mask.filter((f) => f !== "value" && f !== "description");
  if (unknown.length) throw badRequest(`${unknown.map((f) => `'${f}'`).join(", ")} is unknown or cannot be updated.`);
  const next = {
    key,
    value: !mask.length || mask.includes("value") ? v.value : existing.value,
    description: !mask.length || mask.includes("description") ? v.description : existing.description,
  };
  await store.put(key, next.value, next.description);
  return { status: 200, jsonBody: next };
}

export async function deleteVariable(request: HttpRequest): Promise<HttpResponseInit> {
  const key = request.params.variable_key;
  const store = appVariableStore();
  if ((await store.get(key))?.readOnly) throw readOnly(key);
  if (!(await store.delete(key))) throw variableNotFound();
  return { status: 204 };
}

apiRoute("api_get_variables", "GET", "variables", getVariables);
apiRoute("api_post_variables", "POST", "variables", postVariable);
apiRoute("api_get_variable", "GET", "variables/{variable_key}", getVariable);
apiRoute("api_patch_variable", "PATCH", "variables/{variable_key}", patchVariable);
apiRoute("api_delete_variable", "DELETE", "variables/{variable_key}", deleteVariable);
