// One credential for every Azure service the app reaches by managed identity. In Azure the app
// has a user-assigned identity whose client id is in AZURE_CLIENT_ID; locally, developer logins.
import { DefaultAzureCredential, TokenCredential } from "@azure/identity";

let credential: TokenCredential | undefined;

export function azureCredential(): TokenCredential {
  credential ??= new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID || undefined });
  return credential;
}

/** A bearer token for one scope, e.g. Postgres or Event Hubs. */
export async function accessToken(scope: string): Promise<string> {
  const token = await azureCredential().getToken(scope);
  if (!token) throw new Error(`No Azure access token for scope ${scope}: check the app's managed identity.`);
  return token.token;
}
