/**
 * The GitHub App's user-authorization flow (OAuth web flow) and the one question the setup
 * page asks of it: which installations may this user administer? A user may administer an
 * installation on their own account, or on an organization where they are an active admin.
 */

export interface GitHubEndpoints {
  /** Web origin, e.g. https://github.com (authorize and token exchange live here). */
  webUrl: string;
  /** REST API base, e.g. https://api.github.com. */
  apiUrl: string;
}

export interface OAuthClient {
  clientId: string;
  clientSecret: string;
}

export interface GitHubUser {
  id: number;
  login: string;
}

const TIMEOUT_MS = 10_000;

/** Where the browser goes to sign in; `state` ties the callback to this browser. */
export function authorizeUrl(
  endpoints: GitHubEndpoints,
  client: Pick<OAuthClient, "clientId">,
  redirectUri: string,
  state: string,
): string {
  const url = new URL("/login/oauth/authorize", endpoints.webUrl);
  url.searchParams.set("client_id", client.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("state", state);
  url.searchParams.set("allow_signup", "false");
  return url.toString();
}

/** Exchanges the callback's one-time code for a user access token. */
export async function exchangeCode(
  endpoints: GitHubEndpoints,
  client: OAuthClient,
  code: string,
  redirectUri: string,
): Promise<string> {
  // The code and secret travel in the POST body, never in a URL.
  const response = await fetch(new URL("/login/oauth/access_token", endpoints.webUrl), {
    method: "POST",
    headers: { accept: "application/json", "content-type": "application/json" },
    body: JSON.stringify({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      code,
      redirect_uri: redirectUri,
    }),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  const body = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
  };
  if (!response.ok || !body.access_token) {
    throw new Error(`GitHub refused the sign-in code (${body.error ?? response.status})`);
  }
  return body.access_token;
}

async function getJson<T>(
  endpoints: GitHubEndpoints,
  token: string,
  path: string,
): Promise<T | null> {
  const response = await fetch(new URL(path, endpoints.apiUrl.replace(/\/?$/, "/")), {
    headers: {
      accept: "application/vnd.github+json",
      authorization: `Bearer ${token}`,
      "x-github-api-version": "2022-11-28",
      "user-agent": "faultline-hosted",
    },
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
  if (response.status === 404 || response.status === 403) return null;
  if (!response.ok) throw new Error(`GitHub answered ${response.status} to GET ${path}`);
  return (await response.json()) as T;
}

interface UserInstallation {
  id: number;
  account: { id: number; login: string; type: string } | null;
}

/**
 * The signed-in user and the ids of the installations they administer.
 * @example const { user, installationIds } = await administeredInstallations(endpoints, token);
 */
export async function administeredInstallations(
  endpoints: GitHubEndpoints,
  token: string,
): Promise<{ user: GitHubUser; installationIds: number[] }> {
  const user = await getJson<GitHubUser>(endpoints, token, "user");
  if (!user) throw new Error("GitHub did not return the signed-in user");
  const installations: UserInstallation[] = [];
  // Bounded: 10 pages of 100 is more installations than any one person administers.
  for (let page = 1; page <= 10; page++) {
    const body = await getJson<{ installations: UserInstallation[] }>(
      endpoints,
      token,
      `user/installations?per_page=100&page=${page}`,
    );
    const batch = body?.installations ?? [];
    installations.push(...batch);
    if (batch.length < 100) break;
  }
  const installationIds: number[] = [];
  for (const installation of installations) {
    const account = installation.account;
    if (!account) continue;
    if (account.type === "User") {
      if (account.id === user.id) installationIds.push(installation.id);
      continue;
    }
    const membership = await getJson<{ role: string; state: string }>(
      endpoints,
      token,
      `user/memberships/orgs/${encodeURIComponent(account.login)}`,
    );
    if (membership?.role === "admin" && membership.state === "active") {
      installationIds.push(installation.id);
    }
  }
  return { user: { id: user.id, login: user.login }, installationIds };
}
