import { isBinary } from "./skip-reason.ts";
import type { FileChange, FileStatus, SourceProvider } from "./types.ts";

// The index signature keeps this assignable to Octokit's `RequestParameters`.
interface RepoParams {
  owner: string;
  repo: string;
  [parameter: string]: unknown;
}

/**
 * The few Octokit REST methods the GitHub source calls. A Probot/`@octokit/rest` client
 * satisfies it; tests pass one pointed at a local fake GitHub.
 */
export interface GitHubSourceOctokit {
  rest: {
    pulls: {
      listFiles(
        params: RepoParams & { pull_number: number; per_page?: number; page?: number },
      ): Promise<{
        data: readonly { filename: string; status: string; previous_filename?: string }[];
      }>;
      get(
        params: RepoParams & { pull_number: number },
      ): Promise<{ data: { changed_files?: number } }>;
    };
    repos: {
      getContent(params: RepoParams & { path: string; ref?: string }): Promise<{ data: unknown }>;
    };
    git: {
      getBlob(
        params: RepoParams & { file_sha: string },
      ): Promise<{ data: { content: string; encoding: string } }>;
      getTree(params: RepoParams & { tree_sha: string; recursive?: string }): Promise<{
        data: {
          tree: readonly { path?: string; type?: string; mode?: string }[];
          truncated: boolean;
        };
      }>;
    };
  };
}

export interface GitHubSourceOptions {
  octokit: GitHubSourceOctokit;
  /** The base repository (a fork PR's head commits are readable from it by SHA). */
  owner: string;
  repo: string;
  pullNumber: number;
  /** Full SHAs: the PR's base and head commits. */
  base: string;
  head: string;
  /** How many files GitHub lists for a pull request at most (3,000 on github.com). */
  fileListCap?: number;
  /** How many unchanged files the call-site search may read (one request each). Default 200. */
  maxCallerFiles?: number;
}

const perPage = 100;

/**
 * A `SourceProvider` over the GitHub REST API for one pull request: the PR's file list
 * (paginated; GitHub's 3,000-file cap becomes a visible notice) and file contents at the
 * base and head SHAs, always read from the base repository so fork PRs work.
 *
 * @example
 * const source = createGitHubSource({ octokit, owner: "acme", repo: "shop", pullNumber: 7, base: pr.base.sha, head: pr.head.sha });
 */
export function createGitHubSource(opts: GitHubSourceOptions): SourceProvider {
  const { octokit, owner, repo } = opts;
  // One recursive tree per revision: the call-site search's file list, and which files are
  // symbolic links (mode 120000: blobs holding a path, not source).
  const trees = new Map<string, Promise<{ files: string[]; links: Set<string> }>>();
  const treeOf = (rev: string) => {
    let tree = trees.get(rev);
    if (!tree) {
      tree = octokit.rest.git
        .getTree({ owner, repo, tree_sha: rev, recursive: "true" })
        .then(({ data }) => {
          const files: string[] = [];
          const links = new Set<string>();
          for (const entry of data.tree) {
            if (entry.type !== "blob" || !entry.path) continue;
            if (entry.mode === "120000") links.add(entry.path);
            else files.push(entry.path);
          }
          return { files, links };
        });
      trees.set(rev, tree);
    }
    return tree;
  };

  return {
    base: opts.base,
    head: opts.head,
    maxCallerFiles: opts.maxCallerFiles ?? 200,
    async changedFiles() {
      const cap = opts.fileListCap ?? 3000;
      const files: FileChange[] = [];
      let listed = 0;
      for (let page = 1; page <= Math.ceil(cap / perPage); page++) {
        const { data } = await octokit.rest.pulls.listFiles({
          owner,
          repo,
          pull_number: opts.pullNumber,
          per_page: perPage,
          page,
        });
        listed += data.length;
        for (const file of data) {
          const change = toFileChange(file);
          if (change) files.push(change);
        }
        if (data.length < perPage) break;
      }
      const notices: string[] = [];
      if (listed >= cap) {
        const { data } = await octokit.rest.pulls.get({
          owner,
          repo,
          pull_number: opts.pullNumber,
        });
        const total = data.changed_files ?? listed;
        if (total > listed) {
          notices.push(
            `GitHub lists at most ${fmt(cap)} files of a pull request; ${fmt(total)} changed, analysed the first ${fmt(listed)}`,
          );
        }
      }
      // The PR file list has no modes: the head tree says which files are links. Without it
      // (a tree GitHub will not give), links read as absent and are skipped as binary.
      const links = await treeOf(opts.head).then(
        (tree) => tree.links,
        () => new Set<string>(),
      );
      for (const file of files) {
        if (file.status !== "removed" && links.has(file.path)) file.symlink = true;
      }
      return { files, notices };
    },
    async readFile(rev, path) {
      let data: unknown;
      try {
        ({ data } = await octokit.rest.repos.getContent({ owner, repo, path, ref: rev }));
      } catch (error) {
        if (statusOf(error) === 404) return null;
        throw error;
      }
      if (!isFileContent(data)) return null;
      let content: Buffer;
      const encoded = data.content ?? "";
      if (data.encoding === "base64" && (encoded.length > 0 || data.size === 0)) {
        content = Buffer.from(encoded, "base64");
      } else {
        // Over 1 MB the contents API omits the content ("encoding": "none"): read the blob.
        const blob = await octokit.rest.git.getBlob({ owner, repo, file_sha: data.sha });
        content = Buffer.from(
          blob.data.content,
          blob.data.encoding === "base64" ? "base64" : "utf8",
        );
      }
      return isBinary(content) ? null : content.toString("utf8");
    },
    async listFiles(rev) {
      return (await treeOf(rev)).files;
    },
  };
}

function toFileChange(file: {
  filename: string;
  status: string;
  previous_filename?: string;
}): FileChange | null {
  const status: FileStatus | null =
    file.status === "added" || file.status === "copied"
      ? "added"
      : file.status === "removed"
        ? "removed"
        : file.status === "renamed"
          ? "renamed"
          : file.status === "modified" || file.status === "changed"
            ? "modified"
            : null;
  if (!status) return null;
  if (status === "renamed" && file.previous_filename) {
    return { path: file.filename, previousPath: file.previous_filename, status };
  }
  return { path: file.filename, status: status === "renamed" ? "modified" : status };
}

interface FileContent {
  type: "file";
  encoding?: string;
  content?: string;
  sha: string;
  size: number;
}

function isFileContent(data: unknown): data is FileContent {
  if (typeof data !== "object" || data === null || Array.isArray(data)) return false;
  const record = data as Record<string, unknown>;
  return record.type === "file" && typeof record.sha === "string";
}

function statusOf(error: unknown): number | null {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : null;
  }
  return null;
}

function fmt(count: number): string {
  return count.toLocaleString("en-US");
}
