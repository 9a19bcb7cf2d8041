/**
 * Runs Faultline's analysis on the demo PR — what `faultline analyze` does — over the
 * telemetry the receiver stored.
 */
import { openLocalGitSource } from "../../src/code/local-git-source.ts";
import type { SourceProvider } from "../../src/code/types.ts";
import type { Config } from "../../src/config.ts";
import { createLocalGitHistory } from "../../src/history/local-git-history.ts";
import type { Report } from "../../src/report/types.ts";
import { runAnalysis } from "../../src/run-analysis.ts";
import type { TelemetryStore } from "../../src/telemetry/types.ts";

export async function analysePullRequest(params: {
  repoDir: string;
  base: string;
  head: string;
  config: Config;
  store: TelemetryStore;
  /** Called with the PR's source before the store is queried (frames map through it). */
  useSource: (source: SourceProvider) => void;
  onProgress: (message: string) => void;
}): Promise<Report> {
  const source = await openLocalGitSource({
    repo: params.repoDir,
    base: params.base,
    head: params.head,
  });
  params.useSource(source);
  return runAnalysis({
    source,
    store: params.store,
    history: createLocalGitHistory({ repo: params.repoDir, base: source.base }),
    config: params.config,
    repo: null,
    onProgress: params.onProgress,
  });
}
