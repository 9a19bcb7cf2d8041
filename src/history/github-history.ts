/**
 * Git history for the GitHub App, which has no clone: the commits API per changed file at
 * the base SHA. The API cannot follow line ranges, so history is file-level (marked
 * `scope: "file"`, and the report says so). Bounded in files and commits per file.
 */
import type { ChangedFunction } from "../code/types.ts";
import { functionKeyId } from "../telemetry/types.ts";
import { summarise } from "./local-git-history.ts";
import type { CommitInfo, FunctionHistory, HistoryProvider } from "./types.ts";

/** The one REST call this needs; Probot's `context.octokit` and `@octokit/rest` both fit. */
export interface CommitsClient {
  rest: {
    repos: {
      listCommits(params: {
        owner: string;
        repo: string;
        sha: string;
        path: string;
        per_page: number;
      }): Promise<{ data: readonly ListedCommit[] }>;
    };
  };
}

interface ListedCommit {
  sha: string;
  commit: { message: string; author: { name?: string; date?: string } | null };
  author: { login?: string } | null;
}

export interface GithubHistoryOptions {
  octokit: CommitsClient;
  owner: string;
  repo: string;
  /** Base SHA of the pull request. */
  base: string;
  now?: Date;
  /** Files looked up at most (default 30): one API call each. */
  maxFiles?: number;
  /** Commits per file (default 30, one page). */
  perFile?: number;
}

const CONCURRENCY = 4;

/**
 * @example
 * const history = createGithubHistory({ octokit: context.octokit, owner, repo, base: pr.base.sha });
 */
export function createGithubHistory(opts: GithubHistoryOptions): HistoryProvider {
  const maxFiles = opts.maxFiles ?? 30;
  const perFile = opts.perFile ?? 30;
  return {
    async forFunctions(functions: readonly ChangedFunction[]) {
      const now = opts.now ?? new Date();
      const targets = functions.filter((fn) => fn.change !== "added");
      const files = [...new Set(targets.map((fn) => fn.base?.file ?? fn.file))].slice(0, maxFiles);
      const byFile = new Map<string, CommitInfo[]>();
      const failures: unknown[] = [];
      let next = 0;
      const worker = async () => {
        while (next < files.length) {
          const path = files[next++];
          if (path === undefined) break;
          try {
            byFile.set(path, await listFileCommits(opts, path, perFile));
          } catch (error) {
            failures.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      // One failing file costs only its functions; all failing is an outage worth a notice.
      if (files.length > 0 && failures.length === files.length) throw failures[0];
      const result = new Map<string, FunctionHistory>();
      for (const fn of targets) {
        const commits = byFile.get(fn.base?.file ?? fn.file);
        if (commits)
          result.set(functionKeyId(fn), { ...summarise(commits, now, 5), scope: "file" });
      }
      return result;
    },
  };
}

/**
 * Process-wide: a file's history at a commit never changes, and an App sees the same base
 * for many pull requests. Keyed by repo, base SHA, path and page size.
 */
const fileCommitsCache = new Map<string, Promise<CommitInfo[]>>();
const CACHE_LIMIT = 2_000;

function listFileCommits(
  opts: GithubHistoryOptions,
  path: string,
  perFile: number,
): Promise<CommitInfo[]> {
  const key = `${opts.owner}/${opts.repo}@${opts.base}:${perFile}:${path}`;
  let cached = fileCommitsCache.get(key);
  if (!cached) {
    cached = opts.octokit.rest.repos
      .listCommits({ owner: opts.owner, repo: opts.repo, sha: opts.base, path, per_page: perFile })
      .then(({ data }) => data.map(toCommitInfo));
    if (fileCommitsCache.size >= CACHE_LIMIT) {
      const oldest = fileCommitsCache.keys().next().value;
      if (oldest !== undefined) fileCommitsCache.delete(oldest);
    }
    fileCommitsCache.set(key, cached);
    // A failure (rate limit, outage) must not be remembered.
    cached.catch(() => fileCommitsCache.delete(key));
  }
  return cached;
}

function toCommitInfo(listed: ListedCommit): CommitInfo {
  return {
    sha: listed.sha,
    author: listed.commit.author?.name ?? listed.author?.login ?? "unknown",
    date: listed.commit.author?.date ?? "",
    subject: listed.commit.message.split("\n")[0] ?? "",
  };
}
