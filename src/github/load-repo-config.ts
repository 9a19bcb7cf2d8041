import type { Config } from "../config.ts";
import { defaultConfig } from "../config.ts";
import { UserError } from "../errors.ts";
import { parseConfig } from "../load-config.ts";
import { type GitHubClient, httpStatus } from "./github-client.ts";

export const REPO_CONFIG_PATH = ".github/faultline.yml";

export type RepoConfigResult =
  | { ok: true; config: Config; source: string | null }
  | { ok: false; error: string; source: string };

/**
 * Reads `.github/faultline.yml` from the repo's default branch — never from the PR head, so
 * a PR cannot loosen its own gate — falling back to the owner's `.github` repository, as
 * Probot's `context.config` does. The raw text is parsed by `parseConfig`, so errors name
 * the line and the key.
 */
export async function loadRepoConfig(params: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
}): Promise<RepoConfigResult> {
  const { octokit, owner } = params;
  for (const repo of [params.repo, ".github"]) {
    const text = await readRaw(octokit, owner, repo);
    if (text === null) continue;
    const source = repo === params.repo ? REPO_CONFIG_PATH : `${owner}/.github:${REPO_CONFIG_PATH}`;
    try {
      return { ok: true, config: parseConfig(text, source), source };
    } catch (error) {
      if (error instanceof UserError) return { ok: false, error: error.message, source };
      throw error;
    }
  }
  return { ok: true, config: defaultConfig(), source: null };
}

async function readRaw(octokit: GitHubClient, owner: string, repo: string): Promise<string | null> {
  try {
    const response = await octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path: REPO_CONFIG_PATH,
      mediaType: { format: "raw" },
    });
    return typeof response.data === "string" ? response.data : null;
  } catch (error) {
    const status = httpStatus(error);
    // Missing file, or an org `.github` repo outside the installation: use the defaults.
    if (status === 404 || (repo === ".github" && (status === 403 || status === 401))) return null;
    throw error;
  }
}
