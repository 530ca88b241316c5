// The Application Insights settings, checked when telemetry starts: the connection string and the
// Entra authentication for ingestion. Apart from the sink, so reading them loads no exporter.
import type { TokenCredential } from "@azure/identity";
import { SettingsError, type Env } from "../config";
import { azureCredential, identityClientId, managedIdentityCredential } from "../hooks/azure-credential";

export const CONNECTION_STRING_SETTING = "APPLICATIONINSIGHTS_CONNECTION_STRING";
export const AUTHENTICATION_STRING_SETTING = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function parsePairs(raw: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of raw.split(";").map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf("=");
    if (eq <= 0) throw new Error(`'${part}' is not key=value`);
    pairs.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  return pairs;
}

/** The connection string, checked here so a typo is one clear error instead of silently lost telemetry. */
export function readConnectionString(env: Env = process.env): string | undefined {
  const raw = env[CONNECTION_STRING_SETTING]?.trim();
  if (!raw) return undefined;
  let pairs: Map<string, string>;
  try {
    pairs = parsePairs(raw);
  } catch (err) {
    throw new SettingsError(`Setting ${CONNECTION_STRING_SETTING} is malformed (${(err as Error).message}): expected InstrumentationKey=<guid>;IngestionEndpoint=https://...`);
  }
  if (!GUID.test(pairs.get("instrumentationkey") ?? "")) {
    throw new SettingsError(`Setting ${CONNECTION_STRING_SETTING} has no valid InstrumentationKey (a GUID).`);
  }
  const endpoint = pairs.get("ingestionendpoint");
  if (endpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new SettingsError(`Setting ${CONNECTION_STRING_SETTING} has an IngestionEndpoint that is not a URL: '${endpoint}'.`);
  }
  return raw;
}

/**
 * Entra authentication for ingestion (the resource has local auth off): the setting the Functions
 * host also reads, `Authorization=AAD;ClientId=<client id of the app's identity>`.
 */
export function ingestionCredential(env: Env = process.env): TokenCredential | undefined {
  const raw = env[AUTHENTICATION_STRING_SETTING]?.trim();
  if (!raw) return undefined;
  let pairs: Map<string, string>;
  try {
    pairs = parsePairs(raw);
  } catch (err) {
    throw new SettingsError(`Setting ${AUTHENTICATION_STRING_SETTING} is malformed (${(err as Error).message}): expected Authorization=AAD;ClientId=<guid>.`);
  }
  if ((pairs.get("authorization") ?? "").toUpperCase() !== "AAD") {
    throw new SettingsError(`Setting ${AUTHENTICATION_STRING_SETTING} must say Authorization=AAD, got '${raw}'.`);
  }
  const clientId = pairs.get("clientid");
  if (clientId === undefined) return azureCredential(env);
  const setting = `${AUTHENTICATION_STRING_SETTING} ClientId`;
  return managedIdentityCredential(identityClientId({ [setting]: clientId }, setting)!);
}
