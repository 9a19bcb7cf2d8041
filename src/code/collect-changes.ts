import picomatch from "picomatch";
import { type AnalysedFile, type AnalysedFunction, analyseFile } from "./analyse-file.ts";
import { type CallTarget, calleeName, callerPrefilter, collectCallSites } from "./find-callers.ts";
import { languageFor } from "./language-for.ts";
import { type FunctionChange, pairFunctions } from "./pair-functions.ts";
import { contentSkipReason, isBinary, pathSkipReason } from "./skip-reason.ts";
import type {
  CallSite,
  ChangedFunction,
  ChangeSet,
  FileChange,
  SkippedFile,
  SourceProvider,
} from "./types.ts";

export interface CollectChangesOptions {
  /** Globs of repo paths never analysed (config `ignore`). */
  ignore?: string[];
  /** Search call sites in at most this many head files besides the changed ones (default: all). */
  maxCallerFiles?: number;
  /** Skip the call-site search entirely (callers stay empty). */
  callers?: boolean;
}

// Reads in flight at once: enough to keep a git or HTTP pipe busy, few enough to bound memory.
const readConcurrency = 16;

type Loaded =
  | { kind: "analysed"; analysed: AnalysedFile }
  | { kind: "skipped"; reason: string }
  | { kind: "absent" };

/**
 * The changed functions between a provider's base and head, with callers in the head tree
 * and the files skipped (with reasons). Pure over what the provider returns: every byte
 * comes through `source`, nothing is executed.
 *
 * @example
 * const source = await openLocalGitSource({ repo: ".", base: "main", head: "HEAD" });
 * const changes = await collectChanges(source, { ignore: ["scripts/**"] });
 */
export async function collectChanges(
  source: SourceProvider,
  options: CollectChangesOptions = {},
): Promise<ChangeSet> {
  const ignored = options.ignore?.length ? picomatch(options.ignore, { dot: true }) : () => false;
  const { files, notices: providerNotices } = await source.changedFiles();
  const notices = [...providerNotices];
  const fileNotices: string[] = [];
  const skipped: SkippedFile[] = [];
  const headCache = new Map<string, Loaded>();

  const load = async (rev: string, path: string): Promise<Loaded> => {
    const language = languageFor(path);
    if (!language) return { kind: "absent" };
    const content = await source.readFile(rev, path);
    if (content === null) return { kind: "absent" };
    if (isBinary(content)) return { kind: "skipped", reason: "binary" };
    const reason = contentSkipReason(content);
    if (reason) return { kind: "skipped", reason };
    return { kind: "analysed", analysed: analyseFile(content, language) };
  };

  const sourceFiles = files.filter((file) => {
    const path = file.path;
    if (!languageFor(path) && !(file.previousPath && languageFor(file.previousPath))) return false;
    const reason = ignored(path) ? "ignored by configuration" : pathSkipReason(path);
    if (reason) {
      skipped.push({ file: path, reason });
      return false;
    }
    return true;
  });

  const functions: ChangedFunction[] = [];
  const targets: CallTarget[] = [];
  await forEachLimited(sourceFiles, readConcurrency, async (file) => {
    const basePath = file.previousPath ?? file.path;
    const [baseLoaded, headLoaded] = await Promise.all([
      file.status === "added"
        ? Promise.resolve<Loaded>({ kind: "absent" })
        : load(source.base, basePath),
      file.status === "removed"
        ? Promise.resolve<Loaded>({ kind: "absent" })
        : load(source.head, file.path),
    ]);
    if (headLoaded.kind !== "absent") headCache.set(file.path, headLoaded);
    // Providers answer null for binary content: a listed file that reads as absent is binary.
    const skip =
      headLoaded.kind === "skipped"
        ? headLoaded.reason
        : file.status !== "removed" && headLoaded.kind === "absent"
          ? "binary"
          : baseLoaded.kind === "skipped" && headLoaded.kind === "absent"
            ? baseLoaded.reason
            : null;
    if (skip) {
      skipped.push({ file: file.path, reason: skip });
      return;
    }
    const base = baseLoaded.kind === "analysed" ? baseLoaded.analysed : null;
    const head = headLoaded.kind === "analysed" ? headLoaded.analysed : null;
    if (head?.syntaxErrors) {
      fileNotices.push(`${file.path} has syntax errors; its functions were extracted best-effort`);
    }
    for (const change of pairFunctions(base?.functions ?? [], head?.functions ?? [])) {
      const changed = toChangedFunction(change, file, basePath, base, head);
      functions.push(changed);
      const fn = change.head ?? change.base!;
      if (calleeName(fn)) targets.push({ file: changed.file, fn });
    }
  });

  notices.push(...fileNotices.sort());
  const callers =
    options.callers === false || targets.length === 0
      ? new Map<CallTarget, CallSite[]>()
      : await findCallers(source, targets, headCache, ignored, options.maxCallerFiles, notices);
  const targetFor = new Map<AnalysedFunction, CallTarget>(targets.map((t) => [t.fn, t]));
  for (const changed of functions) {
    const fn = functionOf.get(changed);
    const target = fn ? targetFor.get(fn) : undefined;
    if (target) changed.callers = sortCallSites(callers.get(target) ?? []);
  }

  functions.sort(
    (a, b) =>
      compare(a.file, b.file) ||
      a.startLine - b.startLine ||
      compare(a.change, b.change) ||
      compare(a.name, b.name),
  );
  skipped.sort((a, b) => compare(a.file, b.file));
  return { base: source.base, head: source.head, functions, skipped, notices };
}

// Links each reported function to the analysed one it came from (for callers).
const functionOf = new WeakMap<ChangedFunction, AnalysedFunction>();

function toChangedFunction(
  change: FunctionChange,
  file: FileChange,
  basePath: string,
  base: AnalysedFile | null,
  head: AnalysedFile | null,
): ChangedFunction {
  const fn = change.head ?? change.base!;
  const removed = change.change === "removed";
  // Keys in the documented JSON order.
  const changed: ChangedFunction = {
    file: removed ? basePath : file.path,
    name: fn.name,
    change: change.change,
    startLine: fn.startLine,
    endLine: fn.endLine,
    ...(change.renamedFrom ? { renamedFrom: change.renamedFrom.name } : {}),
    signatureChanged: change.renamedFrom ? change.renamedFrom.signature !== fn.signature : false,
    callers: [],
    changeRatio: round(change.changeRatio),
    exported: fn.exported,
  };
  if (change.change === "modified" && change.base) {
    changed.signatureChanged = change.base.signature !== fn.signature;
    changed.base = {
      file: basePath,
      startLine: change.base.startLine,
      endLine: change.base.endLine,
    };
  }
  if ((removed ? base : head)?.syntaxErrors) changed.syntaxErrors = true;
  functionOf.set(changed, fn);
  return changed;
}

async function findCallers(
  source: SourceProvider,
  targets: CallTarget[],
  headCache: Map<string, Loaded>,
  ignored: (path: string) => boolean,
  maxCallerFiles: number | undefined,
  notices: string[],
): Promise<Map<CallTarget, CallSite[]>> {
  const targetsByName = new Map<string, CallTarget[]>();
  for (const target of targets) {
    const name = calleeName(target.fn);
    const list = targetsByName.get(name);
    if (list) list.push(target);
    else targetsByName.set(name, [target]);
  }
  const prefilter = callerPrefilter(targetsByName.keys());
  const callers = new Map<CallTarget, CallSite[]>();
  if (!prefilter) return callers;

  const all = await source.listFiles(source.head);
  const searchable = all.filter(
    (path) => languageFor(path) && !ignored(path) && pathSkipReason(path) === null,
  );
  let others = searchable.filter((path) => !headCache.has(path));
  const limit = maxCallerFiles ?? Number.POSITIVE_INFINITY;
  if (others.length > limit) {
    notices.push(
      `Call sites were searched in the changed files and ${limit} of ${others.length} other files`,
    );
    others = others.slice(0, limit);
  }
  const language = (path: string) => languageFor(path)!;
  const results = new Map<string, AnalysedFile>();
  for (const [path, loaded] of headCache) {
    if (loaded.kind === "analysed") results.set(path, loaded.analysed);
  }
  await forEachLimited(others, readConcurrency, async (path) => {
    const content = await source.readFile(source.head, path);
    // Most files call none of the changed names: a regex test is far cheaper than a parse.
    if (content === null || !prefilter.test(content)) return;
    if (isBinary(content) || contentSkipReason(content)) return;
    results.set(path, analyseFile(content, language(path)));
  });
  for (const [path, analysed] of results) {
    collectCallSites(path, analysed, targetsByName, callers);
  }
  return callers;
}

function sortCallSites(sites: CallSite[]): CallSite[] {
  const seen = new Set<string>();
  return sites
    .sort((a, b) => compare(a.file, b.file) || a.line - b.line)
    .filter((site) => {
      const key = `${site.file}:${site.line}:${site.function}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function round(ratio: number): number {
  return Math.round(ratio * 1000) / 1000;
}
