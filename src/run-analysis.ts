/**
 * The whole recipe from a change source: config is given → collect changed functions →
 * analyse (telemetry, history, score, scenarios, gate) → owners. Used by the CLI, the
 * Action and the GitHub App; each supplies its own source, store and history.
 */
import { type AnalyzeInput, analyze } from "./analyze.ts";
import { collectChanges } from "./code/collect-changes.ts";
import type { ChangeSet, SourceProvider } from "./code/types.ts";
import { CODEOWNERS_PATHS, parseCodeowners } from "./history/codeowners.ts";
import type { Report } from "./report/types.ts";

/** What `analyze` takes, with the changes and scenario sources read from `source` instead. */
export interface RunAnalysisParams extends Omit<AnalyzeInput, "changes" | "scenarioModules"> {
  source: SourceProvider;
  /** Progress lines for long runs (the CLI prints them on a TTY). */
  onProgress?: (message: string) => void;
}

/**
 * @example
 * const source = await openLocalGitSource({ repo: ".", base: "main", head: "HEAD" });
 * const report = await runAnalysis({ source, store, history: null, config, repo: null });
 */
export async function runAnalysis(params: RunAnalysisParams): Promise<Report> {
  const { source, onProgress, ...input } = params;
  const progress = onProgress ?? (() => {});
  progress("collecting changed functions");
  const changes = await collectChanges(source, { ignore: input.config.ignore });
  progress(`analysing ${changes.functions.length} changed function(s)`);
  const report = await analyze({
    ...input,
    changes,
    scenarioModules: { sources: await headSources(source, changes) },
  });
  const ownersOf = await readCodeowners(source);
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
