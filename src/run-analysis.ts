/**
 * The whole recipe from a change source: config is given → collect changed functions →
 * analyse (telemetry, history, score, scenarios, gate) → owners. Used by the CLI, the
 * Action and the GitHub App; each supplies its own source, store and history.
 */
import { analyze } from "./analyze.ts";
import { collectChanges } from "./code/collect-changes.ts";
import type { ChangeSet, SourceProvider } from "./code/types.ts";
import type { Config } from "./config.ts";
import { CODEOWNERS_PATHS, parseCodeowners } from "./history/codeowners.ts";
import type { HistoryProvider } from "./history/types.ts";
import type { RepoRef, Report } from "./report/types.ts";
import type { TelemetryStore } from "./telemetry/types.ts";

export interface RunAnalysisParams {
  source: SourceProvider;
  store: TelemetryStore | null;
  history: HistoryProvider | null;
  config: Config;
  repo: RepoRef | null;
  now?: Date;
  override?: { by: string; reason: string } | null;
  /** Why the store could not be opened, when the caller tried and failed. */
  telemetryError?: string;
  configPath?: string;
  /** Progress lines for long runs (the CLI prints them on a TTY). */
  onProgress?: (message: string) => void;
}

/**
 * @example
 * const source = await openLocalGitSource({ repo: ".", base: "main", head: "HEAD" });
 * const report = await runAnalysis({ source, store, history: null, config, repo: null });
 */
export async function runAnalysis(params: RunAnalysisParams): Promise<Report> {
  const progress = params.onProgress ?? (() => {});
  progress("collecting changed functions");
  const changes = await collectChanges(params.source, { ignore: params.config.ignore });
  progress(`analysing ${changes.functions.length} changed function(s)`);
  const report = await analyze({
    changes,
    store: params.store,
    history: params.history,
    config: params.config,
    repo: params.repo,
    ...(params.now ? { now: params.now } : {}),
    override: params.override ?? null,
    ...(params.telemetryError ? { telemetryError: params.telemetryError } : {}),
    ...(params.configPath ? { configPath: params.configPath } : {}),
    scenarioModules: { sources: await headSources(params.source, changes) },
  });
  const ownersOf = await readCodeowners(params.source);
  if (ownersOf) {
    for (const f of report.functions) {
      const owners = ownersOf(f.fn.file);
      if (owners.length > 0) f.owners = owners;
    }
  }
  return report;
}

/** Files whose head text scenarios get (GitHub reads cost an API call each). */
const MAX_SCENARIO_SOURCES = 50;

/** Head text of the changed files, so scenarios can tell how a function is reachable. */
async function headSources(
  source: SourceProvider,
  changes: ChangeSet,
): Promise<Map<string, string>> {
  const files = [
    ...new Set(changes.functions.filter((f) => f.change !== "removed").map((f) => f.file)),
  ].slice(0, MAX_SCENARIO_SOURCES);
  const texts = await Promise.all(
    files.map((file) => source.readFile(source.head, file).catch(() => null)),
  );
  const sources = new Map<string, string>();
  files.forEach((file, i) => {
    const text = texts[i];
    if (text !== undefined && text !== null) sources.set(file, text);
  });
  return sources;
}

async function readCodeowners(source: SourceProvider) {
  for (const path of CODEOWNERS_PATHS) {
    const text = await source.readFile(source.base, path).catch(() => null);
    if (text !== null) return parseCodeowners(text);
  }
  return null;
}
