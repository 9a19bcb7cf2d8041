import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { UsageError, UserError } from "../errors.ts";
import { GitCatFile } from "./git-cat-file.ts";
import { isBinary } from "./skip-reason.ts";
import type { FileChange, SourceProvider } from "./types.ts";

const run = promisify(execFile);
const maxBuffer = 512 * 1024 * 1024;

export interface LocalGitSourceOptions {
  /** Directory inside a git work tree (or a bare repository). */
  repo: string;
  /** Any revision git understands: a SHA, branch, tag, `HEAD~1`. */
  base: string;
  head: string;
  /** Diff from the merge base of base and head (what a pull request shows). Default false. */
  mergeBase?: boolean;
}

/**
 * A `SourceProvider` over a local clone, through the git CLI (execFile, never a shell).
 * Revisions resolve to full SHAs up front; a directory that is not a repository or an
 * unknown revision throws a `UsageError` with one line saying what to do.
 *
 * @example const source = await openLocalGitSource({ repo: ".", base: "HEAD~1", head: "HEAD" });
 */
export async function openLocalGitSource(opts: LocalGitSourceOptions): Promise<SourceProvider> {
  const repo = resolve(opts.repo);
  const isDirectory = await stat(repo).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDirectory) throw new UsageError(`--repo ${opts.repo}: no such directory`);
  try {
    await git(repo, ["rev-parse", "--git-dir"]);
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UsageError(`--repo ${opts.repo} is not a git repository (pass a clone's directory)`);
  }
  let base = await resolveRevision(repo, opts.base, "--base");
  const head = await resolveRevision(repo, opts.head, "--head");
  if (opts.mergeBase) {
    base = (await git(repo, ["merge-base", base, head]).catch(() => base)).trim() || base;
  }
  const blobs = new GitCatFile(repo);

  return {
    base,
    head,
    async changedFiles() {
      const out = await git(repo, [
        "diff",
        "-M",
        "--name-status",
        "-z",
        "--no-ext-diff",
        "--no-color",
        base,
        head,
        "--",
      ]);
      return { files: parseNameStatus(out), notices: [] };
    },
    async readFile(rev, path) {
      const content = await blobs.read(rev, path);
      if (!content || isBinary(content)) return null;
      return content.toString("utf8");
    },
    async listFiles(rev) {
      const out = await git(repo, ["ls-tree", "-r", "-z", "--name-only", rev]);
      return out.split("\0").filter((path) => path.length > 0);
    },
  };
}

async function resolveRevision(repo: string, rev: string, flag: string): Promise<string> {
  if (rev.startsWith("-") || rev.length === 0) {
    throw new UsageError(`${flag} ${JSON.stringify(rev)} is not a revision`);
  }
  try {
    const out = await git(repo, [
      "rev-parse",
      "--verify",
      "--quiet",
      "--end-of-options",
      `${rev}^{commit}`,
    ]);
    return out.trim();
  } catch (error) {
    if (error instanceof UserError) throw error;
    throw new UsageError(
      `${flag} ${rev}: unknown revision in ${repo} (fetch it, or check the branch/SHA)`,
    );
  }
}

async function git(repo: string, args: string[]): Promise<string> {
  try {
    const { stdout } = await run("git", ["-C", repo, ...args], { maxBuffer, encoding: "utf8" });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new UserError("git is not installed or not on PATH (install git and retry)");
    }
    throw error;
  }
}

/** Parses `git diff --name-status -z`: `M\0path\0`, `R087\0old\0new\0`. */
export function parseNameStatus(out: string): FileChange[] {
  const parts = out.split("\0");
  const files: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++];
    if (!status) continue;
    const letter = status[0];
    if (letter === "R" || letter === "C") {
      const from = parts[i++]!;
      const to = parts[i++]!;
      files.push(
        letter === "R"
          ? { path: to, previousPath: from, status: "renamed" }
          : { path: to, status: "added" },
      );
      continue;
    }
    const path = parts[i++]!;
    if (letter === "A") files.push({ path, status: "added" });
    else if (letter === "D") files.push({ path, status: "removed" });
    else files.push({ path, status: "modified" });
  }
  return files;
}
