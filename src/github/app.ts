/**
 * The Faultline GitHub App as a Probot `ApplicationFunction`: webhooks become queued
 * analyses; each publishes one PR comment and a gating check run.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { ApplicationFunction, Logger } from "probot";
import { createGitHubSource } from "../code/github-source.ts";
import type { SourceProvider } from "../code/types.ts";
import { createGithubHistory } from "../history/github-history.ts";
import type { HistoryProvider } from "../history/types.ts";
import {
  createAnalysisProcessor,
  type HistoryForParams,
  type SourceForParams,
  type StoreFor,
} from "./analyse-pull-request.ts";
import {
  type AnalysisQueue,
  type AnalysisQueueFactory,
  createInProcessQueue,
} from "./analysis-queue.ts";
import { CheckRunRegistry } from "./check-runs.ts";
import { defaultStoreFor } from "./default-store-for.ts";
import { registerWebhooks } from "./register-webhooks.ts";
import { retrySecondaryRateLimits } from "./retry-secondary-rate-limits.ts";
import type { AppSettings } from "./settings.ts";

export type { StoreContext, StoreFor } from "./analyse-pull-request.ts";

export interface AppOptions extends AppSettings {
  /**
   * The telemetry store for an installation's repo; null when none is configured. Default:
   * the server-wide ClickHouse from the settings. Hosted mode plugs per-installation
   * connections in here.
   */
  storeFor?: StoreFor;
  /** A queue, or a factory given the app's processor. Default: in-process, `concurrency` wide. */
  queue?: AnalysisQueue | AnalysisQueueFactory;
  /** Create the check run as the webhook arrives (default true) or when the job starts. */
  createCheckOnDelivery?: boolean;
  /** Where changes come from. Default: the GitHub REST API (`createGitHubSource`). */
  sourceFor?: (params: SourceForParams) => Promise<SourceProvider>;
  /** Git history per function. Default: the commits API (`createGithubHistory`). */
  historyFor?: (params: HistoryForParams) => HistoryProvider | null;
  /**
   * On SIGTERM/SIGINT, end running analyses' check runs as "interrupted" (so none is left
   * in progress) before exiting. For the process entry point; off by default.
   */
  handleSignals?: boolean;
}

/**
 * @example
 * // src/index.ts
 * export default createApp(settingsFromEnv());
 * // hosted mode
 * createApp({ ...settingsFromEnv(), storeFor: perInstallation, queue: (processor) => redisQueue(processor) });
 */
export function createApp(options: AppOptions): ApplicationFunction {
  return (app, { addHandler }) => {
    const log = app.log.child({ name: "faultline" });
    const checks = new CheckRunRegistry(options.checkName);
    const processor = createAnalysisProcessor({
      auth: async (installationId) => retrySecondaryRateLimits(await app.auth(installationId)),
      storeFor: options.storeFor ?? defaultStoreFor(options),
      sourceFor:
        options.sourceFor ??
        (async ({ octokit, owner, repo, pullNumber, base, head }) =>
          createGitHubSource({ octokit, owner, repo, pullNumber, base, head })),
      historyFor:
        options.historyFor ??
        (({ octokit, owner, repo, base }) => createGithubHistory({ octokit, owner, repo, base })),
      settings: options,
      checks,
      log,
    });
    const queue =
      typeof options.queue === "function"
        ? options.queue(processor)
        : (options.queue ??
          createInProcessQueue({ processor, concurrency: options.concurrency, log }));
    registerWebhooks(app, {
      queue,
      checks,
      createCheckOnDelivery: options.createCheckOnDelivery ?? true,
      log,
    });
    addHandler?.(healthHandler);
    if (options.handleSignals) closeOnSignals(queue, log);
    log.info(
      {
        concurrency: options.concurrency,
        telemetry: options.storeFor ? "custom" : options.clickhouse ? "clickhouse" : "none",
        failClosed: options.failClosed,
      },
      "Faultline app loaded",
    );
  };
}

function closeOnSignals(queue: AnalysisQueue, log: Logger): void {
  const stop = (signal: NodeJS.Signals): void => {
    log.info({ signal }, "stopping: interrupting running analyses");
    // Bounded: a hung GitHub must not keep the process from exiting.
    const deadline = new Promise((resolve) => setTimeout(resolve, 10_000).unref());
    void Promise.race([queue.close(), deadline]).finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
}

/** `GET /healthz`: the process is up and serving (load balancers probe it). */
function healthHandler(req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? "").split("?")[0];
  if (path !== "/healthz" || (req.method !== "GET" && req.method !== "HEAD")) return false;
  res.writeHead(200, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(req.method === "HEAD" ? undefined : JSON.stringify({ status: "ok" }));
  return true;
}
