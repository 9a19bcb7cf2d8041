import { openLocalGitSource } from "../code/local-git-source.ts";
import type { Config } from "../config.ts";
import { createLocalGitHistory } from "../history/local-git-history.ts";
import type { RepoRef, Report } from "../report/types.ts";
import { runAnalysis } from "../run-analysis.ts";

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

/** Code changes and history from local git, telemetry from the ClickHouse server: one `Report`. */
export async function analyzeWorkspace(params: AnalyzeWorkspaceParams): Promise<Report> {
  const { config, workspace } = params;
  const source = await openLocalGitSource({
    repo: workspace,
    base: params.base,
    head: params.head,
  });
  const label = config.gate.overrideLabel;
  const report = await runAnalysis({
    source,
    store: null,
    history: createLocalGitHistory({ repo: workspace, base: params.base }),
    config,
    repo: params.repo,
    configPath: params.configPath,
    override: params.labels.includes(label)
      ? { by: `label ${label}`, reason: `the pull request carries the ${label} label` }
      : null,
    onProgress: params.log,
  });
  report.notices.unshift(...params.notices);
  return report;
}
