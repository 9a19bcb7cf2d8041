import type { GitHubClient } from "./github-client.ts";

/** One check-run annotation as GitHub takes it. */
export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  message: string;
  title?: string;
  raw_details?: string;
}

export type CheckConclusion =
  | "success"
  | "neutral"
  | "failure"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "action_required";

export interface CheckTarget {
  owner: string;
  repo: string;
  headSha: string;
}

/** GitHub accepts at most 50 annotations per create/update request. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** GitHub's limit on a check run's summary and text. */
const OUTPUT_LIMIT = 65_535;

/**
 * Finds the head SHA's unfinished check run or creates one `in_progress`. Concurrent calls
 * for the same SHA in this process share one request, so duplicate deliveries arriving
 * together create one check run.
 */
export class CheckRunRegistry {
  readonly #name: string;
  readonly #inFlight = new Map<string, Promise<number>>();

  constructor(name: string) {
    this.#name = name;
  }

  get name(): string {
    return this.#name;
  }

  ensure(octokit: GitHubClient, target: CheckTarget, title: string): Promise<number> {
    const key = `${target.owner.toLowerCase()}/${target.repo.toLowerCase()}@${target.headSha}`;
    const existing = this.#inFlight.get(key);
    if (existing) return existing;
    const promise = this.#findOrCreate(octokit, target, title).finally(() => {
      this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, promise);
    return promise;
  }

  async #findOrCreate(octokit: GitHubClient, target: CheckTarget, title: string): Promise<number> {
    const { owner, repo, headSha } = target;
    const { data } = await octokit.rest.checks.listForRef({
      owner,
      repo,
      ref: headSha,
      check_name: this.#name,
      filter: "latest",
      per_page: 20,
    });
    const open = data.check_runs.find((run) => run.status !== "completed");
    if (open) return open.id;
    const created = await octokit.rest.checks.create({
      owner,
      repo,
      name: this.#name,
      head_sha: headSha,
      status: "in_progress",
      started_at: new Date().toISOString(),
      output: { title, summary: title },
    });
    return created.data.id;
  }
}

/**
 * Completes a check run. Annotations beyond 50 go out first in extra updates (GitHub
 * appends them), so the run flips to its conclusion once, with everything attached.
 */
export async function completeCheckRun(params: {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  checkRunId: number;
  conclusion: CheckConclusion;
  title: string;
  summary: string;
  text?: string;
  annotations?: readonly CheckAnnotation[];
  signal?: AbortSignal;
}): Promise<void> {
  const { octokit, owner, repo, checkRunId } = params;
  const output = {
    title: params.title.slice(0, 255),
    summary: clip(params.summary),
    ...(params.text ? { text: clip(params.text) } : {}),
  };
  const batches = chunk(params.annotations ?? [], ANNOTATIONS_PER_REQUEST);
  const last = batches.pop() ?? [];
  for (const batch of batches) {
    params.signal?.throwIfAborted();
    await octokit.rest.checks.update({
      owner,
      repo,
      check_run_id: checkRunId,
      output: { ...output, annotations: batch },
    });
  }
  params.signal?.throwIfAborted();
  await octokit.rest.checks.update({
    owner,
    repo,
    check_run_id: checkRunId,
    status: "completed",
    conclusion: params.conclusion,
    completed_at: new Date().toISOString(),
    output: { ...output, ...(last.length > 0 ? { annotations: last } : {}) },
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function clip(text: string): string {
  if (text.length <= OUTPUT_LIMIT) return text;
  const note = "\n\n_Truncated to GitHub's check-run limit; the PR comment has the full report._";
  return `${text.slice(0, OUTPUT_LIMIT - note.length)}${note}`;
}
