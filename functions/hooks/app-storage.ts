// The app's own storage account (AzureWebJobsStorage): the run ledger's tables and azflow's state
// container live there. In Azure the setting is identity-based (AzureWebJobsStorage__accountName
// or the __blobServiceUri/__tableServiceUri pair); locally it is Azurite's connection string.
import { BlobServiceClient } from "@azure/storage-blob";
import { TableClient, TableServiceClient } from "@azure/data-tables";
import { azureCredential } from "./azure-credential";
import { SettingsError } from "../config";

const PREFIX = "AzureWebJobsStorage";

type Env = Record<string, string | undefined>;

function connectionString(env: Env): string | undefined {
  const cs = env[PREFIX];
  return cs && cs.trim() ? cs.trim() : undefined;
}

function serviceUri(env: Env, service: "blob" | "table"): string {
  const uriSetting = `${PREFIX}__${service}ServiceUri`;
  const explicit = env[uriSetting]?.trim();
  if (explicit) {
    if (!/^https?:\/\/[^/\s]+\/?$/.test(explicit)) throw new SettingsError(`Setting ${uriSetting} must be a service URL like https://<account>.${service}.core.windows.net, got '${explicit}'.`);
    return explicit;
  }
  const account = env[`${PREFIX}__accountName`]?.trim();
  if (account) {
    if (!/^[a-z0-9]{3,24}$/.test(account)) throw new SettingsError(`Setting ${PREFIX}__accountName must be a storage account name (3-24 lower-case letters and digits), got '${account}'.`);
    return `https://${account}.${service}.core.windows.net`;
  }
  throw new Error(
    `Setting ${PREFIX} is not set: give a connection string (locally) or ${PREFIX}__accountName (in Azure, with a managed identity).`,
  );
}

/** Azurite speaks plain HTTP on loopback; the Tables SDK refuses that unless told. */
function isLoopbackHttp(cs: string): boolean {
  return /UseDevelopmentStorage=true/i.test(cs) || /Endpoint=http:\/\/(127\.0\.0\.1|localhost)/i.test(cs);
}

export function appBlobService(env: Env = process.env): BlobServiceClient {
  const cs = connectionString(env);
  if (cs) return BlobServiceClient.fromConnectionString(cs);
  return new BlobServiceClient(serviceUri(env, "blob"), azureCredential());
}

export function appTableClient(table: string, env: Env = process.env): TableClient {
  const cs = connectionString(env);
  if (cs) return TableClient.fromConnectionString(cs, table, { allowInsecureConnection: isLoopbackHttp(cs) });
  return new TableClient(serviceUri(env, "table"), table, azureCredential());
}

export function appTableService(env: Env = process.env): TableServiceClient {
  const cs = connectionString(env);
  if (cs) return TableServiceClient.fromConnectionString(cs, { allowInsecureConnection: isLoopbackHttp(cs) });
  return new TableServiceClient(serviceUri(env, "table"), azureCredential());
}
