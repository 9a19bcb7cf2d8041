/**
 * Runs Faultline's analysis on the demo PR — what `faultline analyze --db` does — reading
 * the telemetry the receiver stored in the embedded chDB directory.
 */
import { createFunctionLocator } from "../../src/code/function-locator.ts";
import { openLocalGitSource } from "../../src/code/local-git-source.ts";
import { defaultConfig } from "../../src/config.ts";
import { createLocalGitHistory } from "../../src/history/local-git-history.ts";
import type { Report } from "../../src/report/types.ts";
import { runAnalysis } from "../../src/run-analysis.ts";
import { openTelemetryStore } from "../../src/telemetry/open-store.ts";

export async function analysePullRequest(params: {
  repoDir: string;
  base: string;
  head: string;
  /** The receiver's data directory. */
  dataDir: string;
  onProgress: (message: string) => void;
}): Promise<Report> {
  const config = defaultConfig();
  const source = await openLocalGitSource({
    repo: params.repoDir,
    base: params.base,
    head: params.head,
  });
  // Stack frames are mapped to functions at the deployed commit (service.version).
  const locator = createFunctionLocator({
    readFile: (rev, path) => source.readFile(rev, path),
    listFiles: () => source.listFiles(source.head),
    fallbackRevision: source.base,
  });
  const store = await openTelemetryStore({ config, locator, dataDir: params.dataDir });
  try {
    return await runAnalysis({
      source,
      store,
      history: createLocalGitHistory({ repo: params.repoDir, base: source.base }),
      config,
      repo: null,
      onProgress: params.onProgress,
    });
  } finally {
    await store.close();
  }
}
