import { UsageError } from "../errors.ts";
import { renderMessage } from "../report/render-message.ts";
import { runGit } from "./run-git.ts";

export interface EnsureMergeBaseParams {
  repo: string;
  base: string;
  head: string;
  /** Remote to fetch missing history from. */
  remote?: string;
  /** Commits fetched per missing revision first, then per deepening round (doubling). */
  initialDepth?: number;
  /** Deepening rounds at most before giving up. */
  maxRounds?: number;
  log?: (message: string) => void;
}

export interface MergeBaseResult {
  /** Full SHAs. */
  base: string;
  head: string;
  mergeBase: string;
  /** The clone was (and may still be) shallow. */
  shallow: boolean;
  /** Caveats for the report (history cut short by a shallow clone). */
  notices: string[];
}

// Fetching uses the credentials actions/checkout leaves in the clone's git config, so the
// errors (templates/messages/action-fetch.hbs) also say to keep them.
const say = (kind: string, view: Record<string, unknown> = {}): string =>
  renderMessage("action-fetch", { kind, ...view });

/**
 * Makes sure base, head and their merge base are in the local clone. actions/checkout
 * fetches one commit by default, so a PR's base and head are usually missing: fetch them
 * shallowly, then deepen (doubling, bounded) until the merge base appears. A complete
 * clone is never made shallow.
 */
export async function ensureMergeBase(params: EnsureMergeBaseParams): Promise<MergeBaseResult> {
  const { repo, base, head } = params;
  const remote = params.remote ?? "origin";
  const log = params.log ?? (() => {});
  const maxRounds = params.maxRounds ?? 6;
  let depth = params.initialDepth ?? 50;

  const inside = await runGit(repo, ["rev-parse", "--is-inside-work-tree"]);
  if (!inside.ok) {
    throw new UsageError(say("not-a-repository", { repo }));
  }
  const shallow = await isShallow(repo);
  const notices: string[] = [];
  let fetchedAny = false;

  const shas: string[] = [];
  for (const revision of [base, head]) {
    let sha = await resolveCommit(repo, revision);
    if (!sha) {
      const depthArgs = shallow ? [`--depth=${depth}`] : [];
      log(say("fetching", { revision, remote, depth: shallow ? depth : null }));
      const fetched = await runGit(repo, ["fetch", "--no-tags", ...depthArgs, remote, revision]);
      // A branch name lands in FETCH_HEAD only (no local branch of that name).
      sha = fetched.ok
        ? ((await resolveCommit(repo, revision)) ?? (await resolveCommit(repo, "FETCH_HEAD")))
        : null;
      if (!sha) {
        const error = firstLine(fetched.stderr);
        throw new UsageError(say("revision-fetch-failed", { revision, remote, error }));
      }
      fetchedAny = true;
    }
    shas.push(sha);
  }
  const [baseSha = "", headSha = ""] = shas;

  const pair = { base: short(baseSha), head: short(headSha) };
  for (let round = 0; ; round++) {
    const found = await runGit(repo, ["merge-base", baseSha, headSha]);
    if (found.ok && found.stdout) {
      const stillShallow = await isShallow(repo);
      if (stillShallow) {
        notices.push(say("shallow-notice", { fetchedAny }));
      }
      return { base: baseSha, head: headSha, mergeBase: found.stdout, shallow, notices };
    }
    if (!(await isShallow(repo))) {
      throw new UsageError(say("no-common-ancestor", pair));
    }
    if (round >= maxRounds) {
      throw new UsageError(say("merge-base-out-of-reach", { ...pair, rounds: maxRounds }));
    }
    log(say("deepening", { ...pair, depth }));
    const deepened = await runGit(repo, [
      "fetch",
      "--no-tags",
      `--deepen=${depth}`,
      remote,
      baseSha,
      headSha,
    ]);
    if (!deepened.ok) {
      const error = firstLine(deepened.stderr);
      throw new UsageError(say("deepen-failed", { remote, error }));
    }
    fetchedAny = true;
    depth *= 2;
  }
}

async function isShallow(repo: string): Promise<boolean> {
  const result = await runGit(repo, ["rev-parse", "--is-shallow-repository"]);
  return result.stdout === "true";
}

async function resolveCommit(repo: string, revision: string): Promise<string | null> {
  const result = await runGit(repo, [
    "rev-parse",
    "--verify",
    "--quiet",
    "--end-of-options",
    `${revision}^{commit}`,
  ]);
  return result.ok && result.stdout ? result.stdout : null;
}

const short = (sha: string): string => sha.slice(0, 7);
const firstLine = (text: string): string =>
  text.split("\n").find((line) => line.trim()) ?? "unknown error";
