// One credential for every Azure service the app reaches by managed identity. In Azure the app
// has one user-assigned identity whose client id is in AZURE_CLIENT_ID; locally, developer logins.
// Tokens are cached per scope and renewed a few minutes before they expire, and every wait for one
// is bounded: a missing identity or a wrong client id is a clear error naming the setting, never a hang.
import type { AccessToken, TokenCredential } from "@azure/identity";
import { SettingsError, type Env } from "../config";

export const CLIENT_ID_SETTING = "AZURE_CLIENT_ID";
/** Set by App Service and Functions when the app has a managed identity: we are running in Azure. */
const IDENTITY_ENDPOINT = "IDENTITY_ENDPOINT";
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A token is renewed when less than this is left of its life. */
export const TOKEN_REFRESH_MARGIN_MS = 5 * 60_000;
/** The longest wait for a token: the identity endpoint answers in well under a second when set up. */
export const TOKEN_TIMEOUT_MS = 30_000;

let credential: TokenCredential | undefined;

/** The client id of the app's identity; throws naming the setting when it is malformed, or missing in Azure. */
export function identityClientId(env: Env = process.env, setting = CLIENT_ID_SETTING): string | undefined {
  const raw = (env[setting] ?? "").trim();
  if (raw === "") {
    if (env[IDENTITY_ENDPOINT]) {
      throw new SettingsError(
        `Setting ${setting} is not set: in Azure the app reaches services with its user-assigned identity, whose client id this setting must hold.`,
      );
    }
    return undefined;
  }
  if (!GUID.test(raw)) throw new SettingsError(`Setting ${setting} must be a client id (a GUID), got '${raw}'.`);
  return raw;
}

/**
 * A credential built on its first token request: @azure/identity and MSAL load only when the app
 * needs a token (in Azure), not when it starts (a cold start, a local `dags test`).
 */
function lazyCredential(build: (identity: typeof import("@azure/identity")) => TokenCredential): TokenCredential {
  let real: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      real ??= import("@azure/identity").then(build);
      return (await real).getToken(scopes, options);
    },
  };
}

/** The managed identity with this client id, and nothing else. */
export function managedIdentityCredential(clientId: string): TokenCredential {
  return lazyCredential((identity) => new identity.ManagedIdentityCredential({ clientId }));
}

export function azureCredential(env: Env = process.env): TokenCredential {
  if (credential) return credential;
  const clientId = identityClientId(env);
  // In Azure only the managed identity can work: skip DefaultAzureCredential's developer fallbacks.
  credential = env[IDENTITY_ENDPOINT] && clientId
    ? managedIdentityCredential(clientId)
    : lazyCredential((identity) => new identity.DefaultAzureCredential({ managedIdentityClientId: clientId }));
  return credential;
}

/** Replace the app's credential (a service principal, or a stand-in in tests); undefined restores the default. */
export function setAzureCredential(replacement: TokenCredential | undefined): void {
  credential = replacement;
  tokens.clear();
}

export class TokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenError";
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const tokens = new Map<string, Promise<AccessToken>>();

async function fetchToken(cred: TokenCredential, scope: string, what: string, timeoutMs: number): Promise<AccessToken> {
  const hint = `check ${CLIENT_ID_SETTING} (the app's user-assigned identity) and its role on the service`;
  let token: AccessToken | null;
  try {
    token = await withTimeout(cred.getToken(scope), timeoutMs,
      () => new TokenError(`No Azure access token for ${what} (scope ${scope}) within ${timeoutMs / 1000} s: ${hint}.`));
  } catch (err) {
    if (err instanceof TokenError || err instanceof SettingsError) throw err;
    throw new TokenError(`Could not get an Azure access token for ${what} (scope ${scope}): ${(err as Error).message}; ${hint}.`);
  }
  if (!token || !token.token) throw new TokenError(`No Azure access token for ${what} (scope ${scope}): ${hint}.`);
  if (token.expiresOnTimestamp <= Date.now()) {
    throw new TokenError(`The Azure access token for ${what} (scope ${scope}) expired at ${new Date(token.expiresOnTimestamp).toISOString()}: ${hint}.`);
  }
  return token;
}

/**
 * A bearer token for one scope (Postgres, Event Hubs, Synapse, ...), from the cache while it has
 * more than TOKEN_REFRESH_MARGIN_MS to live. `what` names the service in errors.
 */
export async function accessToken(scope: string, what = "Azure", timeoutMs = TOKEN_TIMEOUT_MS): Promise<AccessToken> {
  const cached = tokens.get(scope);
  if (cached) {
    const token = await cached.catch(() => undefined);
    if (token && token.expiresOnTimestamp - Date.now() > TOKEN_REFRESH_MARGIN_MS) return token;
    if (tokens.get(scope) !== cached) return accessToken(scope, what, timeoutMs); // another caller renewed it
  }
  // One request per scope at a time: concurrent callers share it.
  const pending = fetchToken(azureCredential(), scope, what, timeoutMs);
  tokens.set(scope, pending);
  pending.catch(() => {
    if (tokens.get(scope) === pending) tokens.delete(scope);
  });
  return pending;
}
