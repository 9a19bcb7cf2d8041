import type { FrameLocator } from "../telemetry/types.ts";
import { type AnalysedFile, analyseFile } from "./analyse-file.ts";
import { languageFor } from "./language-for.ts";
import { contentSkipReason } from "./skip-reason.ts";

export interface FunctionLocatorOptions {
  /** File content at a revision, or null when absent. May throw for an unknown revision. */
  readFile(rev: string, path: string): Promise<string | null>;
  /** Repo paths (head tree), for suffix-mapping deployed paths. */
  listFiles(): Promise<string[]>;
  /** Used when a frame has no revision, or its revision cannot be read. */
  fallbackRevision: string;
}

/**
 * A `FrameLocator` over the code engine: which function holds `file:line` at a revision.
 * Each (revision, path) is read and parsed once; concurrent lookups share the work.
 *
 * @example
 * const locator = createFunctionLocator({ readFile: source.readFile, listFiles: () => source.listFiles(source.head), fallbackRevision: source.head });
 * await locator.functionAt("3f2c…", "src/router.js", 42); // "Router.prototype.handle"
 */
export function createFunctionLocator(opts: FunctionLocatorOptions): FrameLocator {
  const parsed = new Map<string, Promise<AnalysedFile | null>>();
  let files: Promise<string[]> | null = null;

  const analysedAt = (rev: string, path: string): Promise<AnalysedFile | null> => {
    const key = `${rev}\0${path}`;
    let entry = parsed.get(key);
    if (!entry) {
      entry = (async () => {
        const language = languageFor(path);
        if (!language) return null;
        const content = await opts.readFile(rev, path);
        if (content === null || contentSkipReason(content)) return null;
        return analyseFile(content, language);
      })();
      parsed.set(key, entry);
    }
    return entry;
  };

  return {
    async functionAt(revision, repoPath, line) {
      let analysed: AnalysedFile | null = null;
      if (revision && revision !== opts.fallbackRevision) {
        analysed = await analysedAt(revision, repoPath).catch(() => null);
      }
      analysed ??= await analysedAt(opts.fallbackRevision, repoPath).catch(() => null);
      if (!analysed) return null;
      // Functions come outer before inner, so the last one holding the line is the innermost.
      let best: string | null = null;
      for (const fn of analysed.functions) {
        if (fn.startLine <= line && line <= fn.endLine) best = fn.name;
      }
      return best;
    },
    repoFiles() {
      files ??= opts.listFiles();
      return files;
    },
  };
}
