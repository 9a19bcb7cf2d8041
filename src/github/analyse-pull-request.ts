/**
 * One queued analysis, as a recipe: check the PR is still at this head → check run in
 * progress → repo config → override → telemetry store → changes from the GitHub API →
 * runAnalysis → render → upsert the one comment → complete the check run.
 * Nothing from the PR is checked out or executed: files are read through the API.
 */
import type { Logger } from "probot";
import type { SourceProvider } from "../code/types.ts";
import type { Config } from "../config.ts";
import type { HistoryProvider } from "../history/types.ts";
import { renderCheckSummary, renderComment, riskyAnnotations } from "../report/render.ts";
import type { RepoRef } from "../report/types.ts";
import { runAnalysis } from "../run-analysis.ts";
import { sourceFrameLocator } from "../source-frame-locator.ts";
import type { FrameLocator, TelemetryStore } from "../telemetry/types.ts";
import { AnalysisCancelled, type AnalysisJob, type AnalysisProcessor } from "./analysis-queue.ts";
import { checkMessages } from "./check-messages.ts";
import { type CheckConclusion, type CheckRunRegistry, completeCheckRun } from "./check-runs.ts";
import { findOverride } from "./find-override.ts";
import { type GitHubClient, httpStatus } from "./github-client.ts";
import { loadRepoConfig } from "./load-repo-config.ts";
import type { AppSettings } from "./settings.ts";
import { upsertComment } from "./upsert-comment.ts";
import { withTelemetryTimeout, withTimeout } from "./with-telemetry-timeout.ts";

/** What the store needs to know about the repo being analysed. */
export interface StoreContext {
  /** The repo's validated `.github/faultline.yml` (telemetry tables, path mappings). */
  config: Config;
  /** Maps stack frames to functions, reading files through the GitHub API. */
  locator?: FrameLocator;
}

/**
 * Opens the telemetry store an installation's repo reads; null when none is configured.
 * Throwing (or exceeding FAULTLINE_TELEMETRY_TIMEOUT_MS) reports telemetry as unavailable.
 */
export type StoreFor = (
  installationId: number,
  repo: { owner: string; repo: string },
  context: StoreContext,
) => Promise<TelemetryStore | null>;

export interface SourceForParams {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  pullNumber: number;
  base: string;
  head: string;
}

export interface HistoryForParams {
  octokit: GitHubClient;
  owner: string;
  repo: string;
  base: string;
}

export interface ProcessorDeps {
  /** An installation-authenticated client (`probot.auth(id)`). */
  auth(installationId: number): Promise<GitHubClient>;
  storeFor: StoreFor;
  sourceFor(params: SourceForParams): Promise<SourceProvider>;
  historyFor?(params: HistoryForParams): HistoryProvider | null;
  settings: AppSettings;
  checks: CheckRunRegistry;
  log: Logger;
}

/** Raised when GitHub no longer accepts the installation (app uninstalled or suspended). */
class InstallationGone extends Error {}

export function createAnalysisProcessor(deps: ProcessorDeps): AnalysisProcessor {
  return async (job, queueSignal) => {
    const log = deps.log.child({
      pull: `${job.owner}/${job.repo}#${job.pullNumber}`,
      headSha: job.headSha,
      deliveryId: job.deliveryId,
      installationId: job.installationId,
      reason: job.reason,
    });
    const timeout = AbortSignal.timeout(deps.settings.analysisTimeoutMs);
    const signal = AbortSignal.any([queueSignal, timeout]);
    const run: RunState = {
      octokit: null,
      checkRunId: job.checkRunId ?? null,
      failClosed: deps.settings.failClosed,
    };
    const started = Date.now();
    try {
      await analyse(job, signal, run, deps, log);
      log.info({ ms: Date.now() - started }, "analysis published");
    } catch (error) {
      await settleFailure({ job, error, queueSignal, timeout, run, deps, log });
    }
  };
}

interface RunState {
  octokit: GitHubClient | null;
  checkRunId: number | null;
  /** From the repo config once read; the server setting until then. */
  failClosed: boolean;
}

async function analyse(
  job: AnalysisJob,
  signal: AbortSignal,
  run: RunState,
  deps: ProcessorDeps,
  log: Logger,
): Promise<void> {
  const { owner, repo, pullNumber } = job;
  const octokit = await authenticate(deps, job.installationId);
  run.octokit = octokit;

  const { data: pull } = await octokit.rest.pulls.get({ owner, repo, pull_number: pullNumber });
  if (pull.head.sha !== job.headSha || pull.state !== "open") {
    // A late or duplicate delivery for an old head: the newer head has its own job.
    log.info({ currentHead: pull.head.sha, state: pull.state }, "pull request moved on; skipped");
    if (run.checkRunId !== null) {
      const message =
        pull.state !== "open" ? checkMessages.closed : checkMessages.superseded(pull.head.sha);
      await finish(run, job, "cancelled", message.title, message.summary);
    }
    return;
  }
  run.checkRunId ??= await deps.checks.ensure(
    octokit,
    { owner, repo, headSha: job.headSha },
    checkMessages.analysing,
  );

  const loaded = await loadRepoConfig({ octokit, owner, repo });
  if (!loaded.ok) {
    log.warn({ configError: loaded.error }, "invalid repository configuration");
    const { title, summary } = checkMessages.invalidConfig;
    await finish(run, job, "failure", title, summary(loaded.error, loaded.source));
    return;
  }
  const config = effectiveConfig(loaded.config, deps.settings);
  run.failClosed = config.gate.failClosed;
  if (pull.draft && !config.drafts) {
    await finish(run, job, "skipped", checkMessages.draft.title, checkMessages.draft.summary);
    return;
  }

  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner,
    repo,
    issue_number: pullNumber,
    per_page: 100,
  });
  const override = await findOverride({
    octokit,
    owner,
    repo,
    pullNumber,
    label: config.gate.overrideLabel,
    comments,
  });
  signal.throwIfAborted();

  const source = await deps.sourceFor({
    octokit,
    owner,
    repo,
    pullNumber,
    base: await mergeBase(octokit, owner, repo, pull.base.sha, job.headSha),
    head: job.headSha,
  });
  const locator = sourceFrameLocator(source);
  const opened = await openStore(deps, job, { config, locator }, signal, log);
  try {
    const repoRef: RepoRef = {
      owner,
      repo,
      serverUrl: new URL(pull.html_url).origin,
      pullNumber,
    };
    const report = await abortable(
      runAnalysis({
        source,
        store: opened.store,
        history: deps.historyFor?.({ octokit, owner, repo, base: pull.base.sha }) ?? null,
        config,
        repo: repoRef,
        override,
        ...(opened.error ? { telemetryError: opened.error } : {}),
        ...(loaded.source ? { configPath: loaded.source } : {}),
      }),
      signal,
    );
    const templates = await templateOverrides(source, config);
    signal.throwIfAborted();

    await upsertComment({
      octokit,
      owner,
      repo,
      issueNumber: pullNumber,
      body: renderComment(report, templates.comment),
    });
    signal.throwIfAborted();
    await completeCheckRun({
      octokit,
      owner,
      repo,
      checkRunId: run.checkRunId,
      conclusion: report.gate.conclusion,
      title: checkMessages.reportTitle(report),
      summary: renderCheckSummary(report, templates.checkSummary),
      annotations: riskyAnnotations(report),
      signal,
    });
    log.info(
      {
        level: report.level,
        score: report.score,
        functions: report.functions.length,
        conclusion: report.gate.conclusion,
        override: report.gate.override?.by ?? null,
      },
      "report ready",
    );
  } finally {
    await opened.store?.close().catch(() => {});
  }
}

/** The server can force fail-closed for every repo; a repo may opt in on its own. */
function effectiveConfig(config: Config, settings: AppSettings): Config {
  if (!settings.failClosed || config.gate.failClosed) return config;
  return { ...config, gate: { ...config.gate, failClosed: true } };
}

async function authenticate(deps: ProcessorDeps, installationId: number): Promise<GitHubClient> {
  try {
    return await deps.auth(installationId);
  } catch (error) {
    const status = httpStatus(error);
    if (status === 404 || status === 401 || status === 403) {
      throw new InstallationGone(`installation ${installationId} is gone (${status})`);
    }
    throw error;
  }
}

/**
 * The merge base of the PR's base and head: what GitHub diffs a PR against. The base
 * branch may have moved on since; reading "before" files there would show its changes
 * as the PR's.
 */
async function mergeBase(
  octokit: GitHubClient,
  owner: string,
  repo: string,
  base: string,
  head: string,
): Promise<string> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner,
      repo,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    return data.merge_base_commit.sha;
  } catch (error) {
    if (httpStatus(error) === 404) return base;
    throw error;
  }
}

async function openStore(
  deps: ProcessorDeps,
  job: AnalysisJob,
  context: StoreContext,
  signal: AbortSignal,
  log: Logger,
): Promise<{ store: TelemetryStore | null; error?: string }> {
  const timeoutMs = deps.settings.telemetryTimeoutMs;
  const pending = deps.storeFor(job.installationId, { owner: job.owner, repo: job.repo }, context);
  try {
    const store = await withTimeout(pending, timeoutMs, signal);
    return { store: store ? withTelemetryTimeout(store, timeoutMs, signal) : null };
  } catch (error) {
    if (signal.aborted) throw error;
    // A store that opens after we gave up must not leak its connection.
    void pending.then((late) => late?.close()).catch(() => {});
    const message = error instanceof Error ? error.message : String(error);
    log.warn({ telemetryError: message }, "telemetry store unavailable");
    return { store: null, error: message };
  }
}

async function templateOverrides(
  source: SourceProvider,
  config: Config,
): Promise<{ comment: { template?: string }; checkSummary: { template?: string } }> {
  const read = async (path: string | undefined): Promise<{ template?: string }> => {
    if (!path) return {};
    // From the base revision: a PR cannot restyle its own report.
    const text = await source.readFile(source.base, path).catch(() => null);
    return text === null ? {} : { template: text };
  };
  return {
    comment: await read(config.templates.comment),
    checkSummary: await read(config.templates.checkSummary),
  };
}

/** Stops waiting when `signal` aborts; the abandoned work publishes nothing. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

async function finish(
  run: RunState,
  job: AnalysisJob,
  conclusion: CheckConclusion,
  title: string,
  summary: string,
): Promise<void> {
  if (!run.octokit || run.checkRunId === null) return;
  await completeCheckRun({
    octokit: run.octokit,
    owner: job.owner,
    repo: job.repo,
    checkRunId: run.checkRunId,
    conclusion,
    title,
    summary,
  });
}

/** Leaves the check run in a truthful final state whatever stopped the analysis. */
async function settleFailure(params: {
  job: AnalysisJob;
  error: unknown;
  queueSignal: AbortSignal;
  timeout: AbortSignal;
  run: RunState;
  deps: ProcessorDeps;
  log: Logger;
}): Promise<void> {
  const { job, error, queueSignal, timeout, run, deps, log } = params;
  const failClosed = run.failClosed;
  const status = httpStatus(error);
  if (error instanceof InstallationGone || status === 401) {
    log.info({ status }, "the app no longer has access to this repository; analysis dropped");
    return;
  }
  const reason = queueSignal.reason as unknown;
  try {
    if (queueSignal.aborted && reason instanceof AnalysisCancelled) {
      log.info({ why: reason.why }, "analysis cancelled");
      if (reason.why === "superseded") {
        const { title, summary } = checkMessages.superseded();
        await finish(run, job, "cancelled", title, summary);
      } else if (reason.why === "shutdown") {
        const { title, summary } = checkMessages.shutdown;
        await finish(run, job, "cancelled", title, summary);
      }
      return;
    }
    if (timeout.aborted) {
      const seconds = Math.round(deps.settings.analysisTimeoutMs / 1000);
      log.warn({ timeoutMs: deps.settings.analysisTimeoutMs }, "analysis timed out");
      const { title, summary } = checkMessages.timedOut(seconds, failClosed);
      await finish(run, job, failClosed ? "failure" : "neutral", title, summary);
      return;
    }
    log.error({ err: error, status }, "analysis failed");
    const message = error instanceof Error ? error.message : String(error);
    const { title, summary } = checkMessages.crashed(message.slice(0, 2000), failClosed);
    await finish(run, job, failClosed ? "failure" : "neutral", title, summary);
  } catch (settleError) {
    if (httpStatus(settleError) === 401) {
      log.info("the app no longer has access to this repository; check run left as is");
      return;
    }
    log.error({ err: settleError }, "could not record the failure on the check run");
  }
}
