/**
 * Where webhook handlers put analyses so the webhook is acknowledged at once. The app runs
 * the in-process queue below by default; hosted mode plugs a Redis-backed one in through
 * `AppOptions.queue` with the same contract:
 * - deduplicated by (repo, PR, head SHA) while a job is queued or running,
 * - a newer head SHA for the same PR aborts the superseded run (its `AbortSignal`),
 * - serialised per PR, so comment upserts for one PR never race,
 * - bounded concurrency across PRs.
 */

/** Why an analysis was requested. Push-like reasons are deduplicated against a running job. */
export type AnalysisReason =
  | "opened"
  | "synchronize"
  | "reopened"
  | "ready_for_review"
  | "rerun"
  | "rerequested"
  | "override";

export interface AnalysisJob {
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  baseSha: string;
  /** `x-github-delivery` of the webhook that asked, for logs. */
  deliveryId: string;
  reason: AnalysisReason;
  /** The check run created when the webhook arrived, reused by the analysis. */
  checkRunId?: number;
}

/** Runs one job; must stop promptly (and publish nothing further) once `signal` aborts. */
export type AnalysisProcessor = (job: AnalysisJob, signal: AbortSignal) => Promise<void>;

export interface AnalysisQueue {
  enqueue(job: AnalysisJob): Promise<void>;
  /** Aborts running jobs, drops queued ones, waits for running ones to settle. */
  close(): Promise<void>;
  /** Aborts and drops an installation's jobs (the app was uninstalled). */
  cancelInstallation?(installationId: number): Promise<void>;
}

/** Builds a queue around the app's processor (what `AppOptions.queue` may also be). */
export type AnalysisQueueFactory = (processor: AnalysisProcessor) => AnalysisQueue;

/** Abort reasons the processor sees on `signal.reason`. */
export class AnalysisCancelled extends Error {
  readonly why: "superseded" | "shutdown" | "uninstalled";
  constructor(why: "superseded" | "shutdown" | "uninstalled", detail: string) {
    super(`analysis cancelled (${why}): ${detail}`);
    this.name = "AnalysisCancelled";
    this.why = why;
  }
}

const PUSH_REASONS: ReadonlySet<AnalysisReason> = new Set([
  "opened",
  "synchronize",
  "reopened",
  "ready_for_review",
]);

/** The per-PR key jobs are serialised and deduplicated on. */
export const pullKey = (job: Pick<AnalysisJob, "owner" | "repo" | "pullNumber">): string =>
  `${job.owner.toLowerCase()}/${job.repo.toLowerCase()}#${job.pullNumber}`;

export interface QueueLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export interface InProcessQueueOptions {
  processor: AnalysisProcessor;
  /** Analyses running at once across PRs. */
  concurrency: number;
  log?: QueueLogger;
}

export interface InProcessQueue extends AnalysisQueue {
  /** Resolves when nothing is queued or running (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Counts, for logs and tests. */
  stats(): { running: number; waiting: number; deduplicated: number; superseded: number };
}

interface Running {
  job: AnalysisJob;
  controller: AbortController;
  done: Promise<void>;
}

interface PullState {
  running: Running | null;
  /** At most one job waits per PR: newer requests replace it. */
  pending: AnalysisJob | null;
}

/**
 * The embedded default: a bounded, per-PR-serialised, deduplicating queue in this process.
 * @example
 * const queue = createInProcessQueue({ processor: (job, signal) => analyse(job, signal), concurrency: 4 });
 * await queue.enqueue(job);
 */
export function createInProcessQueue(options: InProcessQueueOptions): InProcessQueue {
  const concurrency = Math.max(1, Math.floor(options.concurrency));
  const pulls = new Map<string, PullState>();
  /** PR keys with a pending job and nothing running, in arrival order. */
  const ready: string[] = [];
  let running = 0;
  let closed = false;
  let deduplicated = 0;
  let superseded = 0;
  let idleWaiters: (() => void)[] = [];

  const isIdle = (): boolean => running === 0 && ready.length === 0;
  const notifyIdle = (): void => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const resolve of waiters) resolve();
  };

  const pump = (): void => {
    while (!closed && running < concurrency && ready.length > 0) {
      const key = ready.shift()!;
      const state = pulls.get(key);
      if (!state?.pending || state.running) continue;
      start(key, state, state.pending);
    }
    notifyIdle();
  };

  const start = (key: string, state: PullState, job: AnalysisJob): void => {
    state.pending = null;
    const controller = new AbortController();
    running += 1;
    const done = (async () => {
      try {
        await options.processor(job, controller.signal);
      } catch (error) {
        if (!controller.signal.aborted) {
          options.log?.error(
            { err: error, pull: key, headSha: job.headSha, deliveryId: job.deliveryId },
            "analysis failed",
          );
        }
      }
    })();
    state.running = { job, controller, done };
    void done.then(() => {
      running -= 1;
      state.running = null;
      if (state.pending && !closed) ready.push(key);
      else pulls.delete(key);
      pump();
    });
  };

  const enqueue = async (job: AnalysisJob): Promise<void> => {
    if (closed) return;
    const key = pullKey(job);
    let state = pulls.get(key);
    if (!state) {
      state = { running: null, pending: null };
      pulls.set(key, state);
    }
    const current = state.running?.job;
    const sameHead = (other: AnalysisJob | null | undefined): boolean =>
      other?.headSha === job.headSha;

    if (sameHead(state.pending)) {
      // Already waiting for this head: it will read fresh state when it starts.
      deduplicated += 1;
      options.log?.debug({ pull: key, deliveryId: job.deliveryId }, "duplicate analysis dropped");
      return;
    }
    if (current && sameHead(current) && PUSH_REASONS.has(job.reason)) {
      deduplicated += 1;
      options.log?.debug({ pull: key, deliveryId: job.deliveryId }, "duplicate analysis dropped");
      return;
    }
    const wasWaiting = state.pending !== null;
    if (wasWaiting) superseded += 1;
    state.pending = job;
    if (current && !sameHead(current)) {
      superseded += 1;
      state.running?.controller.abort(
        new AnalysisCancelled("superseded", `head moved to ${job.headSha}`),
      );
    }
    if (!state.running && !wasWaiting) ready.push(key);
    pump();
  };

  const abortWhere = async (
    predicate: (job: AnalysisJob) => boolean,
    reason: AnalysisCancelled,
  ): Promise<void> => {
    const waits: Promise<void>[] = [];
    for (const [key, state] of pulls) {
      if (state.pending && predicate(state.pending)) state.pending = null;
      if (state.running && predicate(state.running.job)) {
        state.running.controller.abort(reason);
        waits.push(state.running.done);
      }
      if (!state.pending && !state.running) pulls.delete(key);
    }
    await Promise.all(waits);
  };

  return {
    enqueue,
    async close() {
      closed = true;
      ready.length = 0;
      await abortWhere(() => true, new AnalysisCancelled("shutdown", "the app is stopping"));
      notifyIdle();
    },
    async cancelInstallation(installationId) {
      await abortWhere(
        (job) => job.installationId === installationId,
        new AnalysisCancelled("uninstalled", `installation ${installationId} was removed`),
      );
    },
    idle: () =>
      isIdle()
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            idleWaiters.push(resolve);
          }),
    stats: () => ({ running, waiting: ready.length, deduplicated, superseded }),
  };
}
