// The Blob Storage hook (Airflow's wasb connection): one client per connection id.
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { Connection, getConnection } from "./connection";
import { registerConnectionSecrets } from "./secret-mask";
import { azureCredential } from "./azure-credential";

const clients = new Map<string, BlobServiceClient>();

function accountUrl(conn: Connection): string {
  const host = conn.host ?? (typeof conn.extra.account_url === "string" ? conn.extra.account_url : null);
  if (host) return /^https?:\/\//.test(host) ? host : `https://${host}`;
  if (conn.login) return `https://${conn.login}.blob.core.windows.net`;
  throw new Error(`Connection '${conn.connId}' names no storage account: set host (account URL), login (account name) or extra.connection_string.`);
}

/**
 * Forms accepted, as Airflow's WasbHook does: extra.connection_string; account URL plus account
 * name and key (login/password); account URL plus extra.sas_token; account URL alone, which uses
 * the app's managed identity (the form used in Azure, where no key exists in settings).
 */
export function blobServiceClientFor(conn: Connection): BlobServiceClient {
  const cs = conn.extra.connection_string;
  if (typeof cs === "string" && cs) return BlobServiceClient.fromConnectionString(cs);
  const url = accountUrl(conn);
  const sas = conn.extra.sas_token;
  if (typeof sas === "string" && sas) return new BlobServiceClient(`${url}${sas.startsWith("?") ? sas : `?${sas}`}`);
  if (conn.login && conn.password) return new BlobServiceClient(url, new StorageSharedKeyCredential(conn.login, conn.password));
  return new BlobServiceClient(url, azureCredential());
}

export function blobService(connId = "wasb_default"): BlobServiceClient {
  let client = clients.get(connId);
  if (!client) {
    const conn = getConnection(connId);
    registerConnectionSecrets(conn);
    client = blobServiceClientFor(conn);
    clients.set(connId, client);
  }
  return client;
}
