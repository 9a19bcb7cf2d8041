import type { ProbotOctokit } from "probot";

/** An installation-authenticated Octokit as Probot hands it out (REST, paginate, retry, throttling). */
export type GitHubClient = InstanceType<typeof ProbotOctokit>;

/** HTTP status of an Octokit `RequestError`, or null for anything else. */
export function httpStatus(error: unknown): number | null {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : null;
  }
  return null;
}
