import { analyze } from "../analyze.ts";
import { collectChanges } from "../code/collect-changes.ts";
import { openLocalGitSource } from "../code/local-git-source.ts";
import type { Config } from "../config.ts";
import type { RepoRef, Report } from "../report/types.ts";

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
}

/** Code changes from local git, telemetry from the ClickHouse server, one `Report`. */
export async function analyzeWorkspace(params: AnalyzeWorkspaceParams): Promise<Report> {
  const { config } = params;
  const source = await openLocalGitSource({
    repo: params.workspace,
    base: params.base,
    head: params.head,
  });
  const changes = await collectChanges(source, { ignore: config.ignore });
  changes.notices.unshift(...params.notices);
  const label = config.gate.overrideLabel;
  return analyze({
    changes,
    store: null,
    history: null,
    config,
    repo: params.repo,
    configPath: params.configPath,
    override: params.labels.includes(label)
      ? { by: `label ${label}`, reason: `the pull request carries the ${label} label` }
      : null,
  });
}
