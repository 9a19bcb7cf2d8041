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
  const blobs = new GitCatFile(repo);
  // The cat-file process the reads need resolves the revisions too (every other git process
  // costs a fork of this one); what it cannot resolve takes the checks that say what is wrong.
  let [base, head] = await Promise.all([commitOf(blobs, opts.base), commitOf(blobs, opts.head)]);
  if (!base || !head) {
    // Errors end the command: do not keep git running until its idle timeout.
    blobs.close();
    try {
      await git(repo, ["rev-parse", "--git-dir"]);
    } catch (error) {
      if (error instanceof UserError) throw error;
      throw new UsageError(
        `--repo ${opts.repo} is not a git repository (pass a clone's directory)`,
      );
    }
    base = await resolveRevision(repo, opts.base, "--base");
    head = await resolveRevision(repo, opts.head, "--head");
  }
  if (opts.mergeBase) {
    const resolved = base;
    base = (await git(repo, ["merge-base", base, head]).catch(() => resolved)).trim() || base;
  }

  return {
    base,
    head,
    async changedFiles() {
      const out = await git(repo, [
        "diff",
        "-M",
        "--raw",
        "-z",
        "--no-ext-diff",
        "--no-color",
        base,
        head,
        "--",
      ]);
      return { files: parseRawDiff(out), notices: [] };
    },
    async readFile(rev, path) {
      const content = await blobs.read(rev, path);
      if (!content || isBinary(content)) return null;
      return content.toString("utf8");
    },
    async listFiles(rev) {
      // `<mode> <type> <sha>\t<path>`: symbolic links hold a path, not source.
      const out = await git(repo, ["ls-tree", "-r", "-z", rev]);
      return out.split("\0").flatMap((entry) => {
        const tab = entry.indexOf("\t");
        return tab > 0 && !entry.startsWith(SYMLINK_MODE) ? [entry.slice(tab + 1)] : [];
      });
    },
  };
}

/** The commit a revision names, through cat-file; null for anything it cannot answer. */
function commitOf(blobs: GitCatFile, rev: string): Promise<string | null> {
  if (!mayBeRevision(rev)) return Promise.resolve(null);
  return blobs.commit(rev).catch(() => null);
}

/** Empty or option-like (`-x`) text is never passed to git as a revision. */
function mayBeRevision(rev: string): boolean {
  return rev.length > 0 && !rev.startsWith("-");
}

async function resolveRevision(repo: string, rev: string, flag: string): Promise<string> {
  if (!mayBeRevision(rev)) {
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

const SYMLINK_MODE = "120000";

/**
 * Parses `git diff --raw -z`: `:<mode> <mode> <sha> <sha> <status>\0<path>\0`, with a second
 * path for renames and copies (`R087`, `C100`). A side that is a symbolic link holds a path,
 * not source: a link on the head side (the base side when removed) marks the file `symlink`;
 * a link replaced by a file is the file added.
 */
export function parseRawDiff(out: string): FileChange[] {
  const parts = out.split("\0");
  const files: FileChange[] = [];
  for (let i = 0; i < parts.length; ) {
    const meta = parts[i++];
    if (!meta?.startsWith(":")) continue;
    const [baseMode, headMode, , , status = ""] = meta.slice(1).split(" ");
    const letter = status[0];
    const first = parts[i++]!;
    const second = letter === "R" || letter === "C" ? parts[i++]! : undefined;
    const change: FileChange =
      letter === "R" && second !== undefined
        ? { path: second, previousPath: first, status: "renamed" }
        : letter === "C" && second !== undefined
          ? { path: second, status: "added" }
          : letter === "A"
            ? { path: first, status: "added" }
            : letter === "D"
              ? { path: first, status: "removed" }
              : { path: first, status: "modified" };
    const linked = change.status === "removed" ? baseMode : headMode;
    if (linked === SYMLINK_MODE) change.symlink = true;
    else if (baseMode === SYMLINK_MODE && change.status !== "added") {
      // The base side was a link: nothing to compare the file with.
      files.push({ path: change.path, status: "added" });
      continue;
    }
    files.push(change);
  }
  return files;
}
