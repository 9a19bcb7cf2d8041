import type { GitHubClient } from "./github-client.ts";

const wrapped = new WeakSet<object>();

export interface SecondaryRetryOptions {
  /** Retries per request. Default 2. */
  retries?: number;
  /** Longest wait GitHub's `retry-after` may ask for before we give up. Default 60 s. */
  maxWaitMs?: number;
}

/**
 * Probot retries primary rate limits but only logs secondary ones, which GitHub hands out
 * under bursts of writes (exactly when many PRs are pushed at once). This retries them
 * after the `retry-after` GitHub sends, a bounded number of times. Idempotent per client.
 */
export function retrySecondaryRateLimits(
  octokit: GitHubClient,
  options: SecondaryRetryOptions = {},
): GitHubClient {
  if (wrapped.has(octokit)) return octokit;
  wrapped.add(octokit);
  const retries = options.retries ?? 2;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  octokit.hook.wrap("request", async (request, requestOptions) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request(requestOptions);
      } catch (error) {
        const waitMs = secondaryLimitWait(error);
        if (waitMs === null || attempt >= retries || waitMs > maxWaitMs) throw error;
        octokit.log.warn(
          `secondary rate limit on ${requestOptions.method} ${requestOptions.url}: retrying in ${waitMs} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
    }
  });
  return octokit;
}

/** Milliseconds to wait when `error` is a secondary rate limit, else null. */
function secondaryLimitWait(error: unknown): number | null {
  const e = error as {
    status?: number;
    message?: string;
    response?: { headers?: Record<string, string | undefined> };
  };
  if (e.status !== 403 && e.status !== 429) return null;
  if (!/secondary rate limit/i.test(e.message ?? "")) return null;
  const seconds = Number(e.response?.headers?.["retry-after"]);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}
