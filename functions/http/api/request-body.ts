// Request bodies of the API: JSON objects, read as a stream up to AZFLOW_API_MAX_BODY_BYTES and
// refused with 413 beyond it, so a huge body costs neither memory nor a storage round trip.
import type { HttpRequest } from "@azure/functions";
import { appConfig } from "../../config";
import type { PreciseInstant } from "../../ledger/precise-instant";
import { ApiProblem, badRequest } from "./problem";
import { parseQueryDate } from "./query";

function tooLarge(limit: number): ApiProblem {
  return new ApiProblem("PayloadTooLarge", `The request body is larger than the API's limit of ${limit} bytes (setting AZFLOW_API_MAX_BODY_BYTES).`);
}

export async function readBodyText(request: HttpRequest, limit = appConfig().apiMaxBodyBytes): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  if (!request.body) return "";
  const chunks: Buffer[] = [];
  let bytes = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The body as a JSON object; a missing, malformed or non-object body is a 400. */
export async function readJsonObject(request: HttpRequest): Promise<Record<string, unknown>> {
  const text = await readBodyText(request);
  if (text.trim() === "") throw badRequest("RequestBody is required");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw badRequest(`Request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw badRequest(`${text.trim().slice(0, 200)} is not of type 'object'`);
  return body as Record<string, unknown>;
}

/** Marshmallow's error text, which Airflow puts in `detail`: {'field': ['message']}. */
export const fieldError = (field: string, message: string) => badRequest(`{'${field}': ['${message}']}`);

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw fieldError(field, "Not a valid string.");
  return value;
}

/** A date-time field of a body (the batch forms' ranges, clearTaskInstances' dates). */
export function optionalDate(body: Record<string, unknown>, field: string): PreciseInstant | undefined {
  const text = optionalString(body, field);
  if (text === undefined) return undefined;
  try {
    return parseQueryDate(text, field);
  } catch {
    throw fieldError(field, "Not a valid datetime.");
  }
}

export function optionalBoolean(body: Record<string, unknown>, field: string): boolean | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw fieldError(field, "Not a valid boolean.");
  return value;
}

export function optionalStringList(body: Record<string, unknown>, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw fieldError(field, "Not a valid list.");
  if (value.some((v) => typeof v !== "string")) throw fieldError(field, "Not a valid string.");
  return value as string[];
}

/** Fields the spec does not mark nullable may not be null (e.g. the batch forms' lists, a run's conf). */
export function refuseNulls(body: Record<string, unknown>, nullable: readonly string[] = []): void {
  for (const [k, v] of Object.entries(body)) if (v === null && !nullable.includes(k)) throw fieldError(k, "Field may not be null.");
}

/** Unknown fields are refused, as Airflow's schemas do. */
export function refuseUnknownFields(body: Record<string, unknown>, known: readonly string[]): void {
  const unknown = Object.keys(body).filter((k) => !known.includes(k));
  if (unknown.length) throw badRequest(`{${unknown.map((k) => `'${k}': ['Unknown field.']`).join(", ")}}`);
}
