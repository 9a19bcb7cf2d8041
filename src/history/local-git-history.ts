/**
 * Git history per changed function from a local clone: `git log -L` over the function's
 * base-side lines (git follows the range through earlier edits), bounded in commits and
 * functions, run a few at a time, and cached by the blob SHA of the base file so the same
 * code is never walked twice in a process.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ChangedFunction } from "../code/types.ts";
import { functionKeyId } from "../telemetry/types.ts";
import { isFix, isRevert } from "./classify-commit.ts";
import type { CommitInfo, FunctionHistory, HistoryProvider } from "./types.ts";

const run = promisify(execFile);

export interface LocalGitHistoryOptions {
  /** Directory inside the work tree (or a bare repository). */
  repo: string;
  /** Base revision: history is read as of the PR's base. */
  base: string;
  /** Clock for the 90-day churn window. */
  now?: Date;
  /** Commits read per function at most (default 100). */
  maxCommits?: number;
  /** Functions looked up at most (default 200); the rest get no history. */
  maxFunctions?: number;
  /** Recent commits kept per function (default 5). */
  recent?: number;
  /** Per git call, in ms (default 20 s). */
  timeoutMs?: number;
  /** Commits older than this many days are not walked (default 730): bounds huge histories. */
  maxAgeDays?: number;
}

const CONCURRENCY = 4;
const DAY_MS = 86_400_000;

/** Process-wide: `${blob}:${start}-${end}:${maxCommits}:${since}` → the commits touching those lines. */
const commitCache = new Map<string, Promise<CommitInfo[]>>();
const CACHE_LIMIT = 5_000;

/**
 * @example
 * const history = createLocalGitHistory({ repo: ".", base: "origin/main" });
 * const byId = await history.forFunctions(changes.functions); // keyed by `${file}#${name}`
 */
export function createLocalGitHistory(opts: LocalGitHistoryOptions): HistoryProvider {
  const maxCommits = opts.maxCommits ?? 100;
  const maxFunctions = opts.maxFunctions ?? 200;
  const recent = opts.recent ?? 5;
  const timeout = opts.timeoutMs ?? 20_000;
  const maxAgeDays = opts.maxAgeDays ?? 730;
  const git = async (args: string[]): Promise<string> =>
    (await run("git", args, { cwd: opts.repo, maxBuffer: 64 * 1024 * 1024, timeout })).stdout;
  let baseSha: Promise<string> | null = null;
  const resolveBase = () => {
    baseSha ??= git(["rev-parse", "--verify", `${opts.base}^{commit}`]).then((out) => out.trim());
    return baseSha;
  };

  // Base is fixed per provider, so a path's blob never changes: ask git once.
  const blobs = new Map<string, Promise<string | null>>();
  const blobOf = (base: string, path: string): Promise<string | null> => {
    let blob = blobs.get(path);
    if (!blob) {
      blob = git(["rev-parse", "--verify", `${base}:${path}`]).then(
        (out) => out.trim(),
        () => null,
      );
      blobs.set(path, blob);
    }
    return blob;
  };

  const commitsFor = async (base: string, path: string, start: number, end: number) => {
    const blob = await blobOf(base, path);
    if (!blob) return [];
    const since = new Date((opts.now ?? new Date()).getTime() - maxAgeDays * DAY_MS);
    // Day precision keeps the cache key stable through a day of PRs.
    const sinceDay = since.toISOString().slice(0, 10);
    const key = `${blob}:${start}-${end}:${maxCommits}:${sinceDay}`;
    let cached = commitCache.get(key);
    if (!cached) {
      cached = readRangeLog(git, base, path, { start, end, maxCommits, sinceDay });
      if (commitCache.size >= CACHE_LIMIT) {
        const oldest = commitCache.keys().next().value;
        if (oldest !== undefined) commitCache.delete(oldest);
      }
      commitCache.set(key, cached);
      cached.catch(() => commitCache.delete(key));
    }
    return cached;
  };

  return {
    async forFunctions(functions: readonly ChangedFunction[]) {
      const base = await resolveBase();
      const now = opts.now ?? new Date();
      const result = new Map<string, FunctionHistory>();
      const targets = functions.filter((fn) => fn.change !== "added").slice(0, maxFunctions);
      let next = 0;
      const failures: unknown[] = [];
      const worker = async () => {
        while (next < targets.length) {
          const fn = targets[next++];
          if (!fn) break;
          const range = baseRange(fn);
          try {
            const commits = await commitsFor(base, range.file, range.startLine, range.endLine);
            result.set(functionKeyId(fn), summarise(commits, now, recent));
          } catch (error) {
            // One slow or odd file (a timeout, a path git rejects) costs only its functions.
            failures.push(error);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      if (targets.length > 0 && failures.length === targets.length) throw failures[0];
      return result;
    },
  };
}

/** Where the function lived in base: `base` for modified, its own lines for removed. */
function baseRange(fn: ChangedFunction): { file: string; startLine: number; endLine: number } {
  return fn.base ?? { file: fn.file, startLine: fn.startLine, endLine: fn.endLine };
}

async function readRangeLog(
  git: (args: string[]) => Promise<string>,
  base: string,
  path: string,
  bounds: { start: number; end: number; maxCommits: number; sinceDay: string },
): Promise<CommitInfo[]> {
  let out: string;
  try {
    out = await git([
      "log",
      `-L${bounds.start},${bounds.end}:${path}`,
      "-s",
      `--max-count=${bounds.maxCommits}`,
      `--since=${bounds.sinceDay}`,
      "--format=%x1e%H%x1f%an%x1f%aI%x1f%s",
      base,
      "--",
    ]);
  } catch (error) {
    // A range past the end of the file (the engine and git disagree on a trailing newline)
    // must not sink the whole report: no history for that function.
    if (/has only \d+ lines?|file .* has only/i.test(String((error as Error).message))) return [];
    throw error;
  }
  return parseLog(out);
}

/** Parses `%x1e%H%x1f%an%x1f%aI%x1f%s` records; anything else in the output is ignored. */
export function parseLog(out: string): CommitInfo[] {
  const commits: CommitInfo[] = [];
  for (const record of out.split("\x1e")) {
    const line = record.split("\n")[0] ?? "";
    const [sha, author, date, subject] = line.split("\x1f");
    if (!sha || !/^[0-9a-f]{40,64}$/.test(sha) || author === undefined || !date) continue;
    commits.push({ sha, author, date, subject: subject ?? "" });
  }
  return commits;
}

export function summarise(commits: CommitInfo[], now: Date, recent: number): FunctionHistory {
  const since = now.getTime() - 90 * DAY_MS;
  return {
    recentCommits: commits.slice(0, recent),
    churn90d: commits.filter((c) => Date.parse(c.date) >= since).length,
    authors: [...new Set(commits.map((c) => c.author))],
    fixes: commits.filter((c) => isFix(c.subject)),
    reverts: commits.filter((c) => isRevert(c.subject)),
  };
}
