import { openLocalGitSource } from "../code/local-git-source.ts";
import type { SourceProvider } from "../code/types.ts";
import type { Config } from "../config.ts";
import { createLocalGitHistory } from "../history/local-git-history.ts";
import { renderMessage } from "../report/render-message.ts";
import type { RepoRef, Report } from "../report/types.ts";
import { runAnalysis } from "../run-analysis.ts";
import { sourceFrameLocator } from "../source-frame-locator.ts";
import { openTelemetryStore } from "../telemetry/open-store.ts";
import type { TelemetryStore } from "../telemetry/types.ts";
import { hideClickHouseUrl } from "./hide-clickhouse-url.ts";

export interface ClickHouseServer {
  url: string;
  username: string;
  password: string;
  database: string;
}

export interface AnalyzeWorkspaceParams {
  workspace: string;
  /** Full SHAs; base is the merge base, so only the PR's own changes count. */
  base: string;
  head: string;
  config: Config;
  configPath: string;
  clickhouse: ClickHouseServer;
  repo: RepoRef;
  /** The PR's labels: the override label turns a failing gate into success. */
  labels: readonly string[];
  /** Caveats found before the analysis (shallow clone). */
  notices: readonly string[];
  log: (message: string) => void;
}

/**
 * Code changes and history from local git, telemetry from the ClickHouse server: one
 * `Report`. An unreachable ClickHouse does not throw: the report says telemetry is
 * unavailable and the gate follows `gate.failClosed`.
 */
export async function analyzeWorkspace(params: AnalyzeWorkspaceParams): Promise<Report> {
  const { config, workspace } = params;
  const source = await openLocalGitSource({
    repo: workspace,
    base: params.base,
    head: params.head,
  });
  const telemetry = await openStore(params, source);
  const label = config.gate.overrideLabel;
  try {
    const report = await runAnalysis({
      source,
      store: telemetry.store,
      history: createLocalGitHistory({ repo: workspace, base: params.base }),
      config,
      repo: params.repo,
      configPath: params.configPath,
      override: params.labels.includes(label)
        ? {
            by: renderMessage("action-run", { kind: "override-by", label }),
            reason: renderMessage("action-run", { kind: "override-reason", label }),
          }
        : null,
      ...(telemetry.error ? { telemetryError: telemetry.error } : {}),
      onProgress: params.log,
    });
    report.notices = [...params.notices, ...report.notices].map((notice) =>
      hideClickHouseUrl(notice, params.clickhouse.url),
    );
    return report;
  } finally {
    await telemetry.store?.close();
  }
}

async function openStore(
  params: AnalyzeWorkspaceParams,
  source: SourceProvider,
): Promise<{ store: TelemetryStore | null; error: string | null }> {
  // Stack frames name deployed files and lines; the locator maps them to functions.
  const locator = sourceFrameLocator(source);
  try {
    const store = await openTelemetryStore({
      config: params.config,
      locator,
      clickhouse: params.clickhouse,
    });
    return { store, error: null };
  } catch (error) {
    const message = hideClickHouseUrl((error as Error).message, params.clickhouse.url);
    params.log(renderMessage("action-run", { kind: "clickhouse-unavailable", error: message }));
    return { store: null, error: message };
  }
}
