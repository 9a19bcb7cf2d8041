import picomatch from "picomatch";
import type Parser from "tree-sitter";
import {
  type AnalysedFile,
  type AnalysedFunction,
  analyseFile,
  innermostAt,
  mayOccurOutside,
  parseSource,
  type Range,
} from "./analyse-file.ts";
import { type CallCandidate, callCandidates, findCallReferences } from "./call-references.ts";
import { type ChangedRegions, changedRegions } from "./changed-regions.ts";
import {
  type CallTarget,
  calleeName,
  collectCallSites,
  importedStems,
  moduleStem,
  nearestCallSites,
} from "./find-callers.ts";
import { type JointSpans, jointSpans } from "./joint-spans.ts";
import { languageFor } from "./language-for.ts";
import { type FunctionChange, pairFunctions } from "./pair-functions.ts";
import { type CutBlock, parseAround, parseSpans } from "./parse-spans.ts";
import { parsedFromRewrite } from "./parse-text.ts";
import { reparseHead } from "./reparse-head.ts";
import { contentSkipReason, isBinary, pathSkipReason } from "./skip-reason.ts";
import type { TopLevelLayout } from "./top-level-splits.ts";
import type {
  CallSite,
  ChangedFunction,
  ChangeSet,
  FileChange,
  Language,
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
  /**
   * Parse and query whole files instead of the statements around changed lines and call
   * sites (slower; same result: the reference the windowed analysis is tested against).
   */
  wholeFiles?: boolean;
}

// Reads in flight at once: enough to keep a git or HTTP pipe busy, few enough to bound memory.
const readConcurrency = 16;

/** One side of a changed file, read and checked, parsed but not yet analysed. */
type Read =
  | { kind: "source"; content: string; language: Language }
  | { kind: "skipped"; reason: string }
  | { kind: "absent" };

/** A changed head file kept for the call-site search (its tree is reused, not re-parsed). */
interface HeadFile {
  content: string;
  language: Language;
  /**
   * The whole-file tree, when there is one to reuse: null once reused to re-parse the base
   * (the file was then analysed whole) or when only spans of the file were parsed.
   */
  tree: Parser.Tree | null;
  /** The file's top-level layout, when the change analysis lexed it (further pieces cut there). */
  layout: TopLevelLayout | null;
  /** The change analysis of this file (its windows are reused for call sites). */
  analysed: AnalysedFile;
}

/**
 * The changed functions between a provider's base and head, with callers in the head tree
 * and the files skipped (with reasons). Pure over what the provider returns: every byte
 * comes through `source`, nothing is executed.
 *
 * Each file version is parsed once. Only the top-level statements around the changed lines
 * are queried for functions (a function outside them is unchanged, and its name cannot have
 * changed either: everything that names it lies inside its top-level statement).
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
  const headFiles = new Map<string, HeadFile>();

  const read = async (rev: string, path: string): Promise<Read> => {
    const language = languageFor(path);
    if (!language) return { kind: "absent" };
    const content = await source.readFile(rev, path);
    if (content === null) return { kind: "absent" };
    if (isBinary(content)) return { kind: "skipped", reason: "binary" };
    const reason = contentSkipReason(content);
    if (reason) return { kind: "skipped", reason };
    return { kind: "source", content, language };
  };

  const sourceFiles = files.filter((file) => {
    const path = file.path;
    if (!languageFor(path) && !(file.previousPath && languageFor(file.previousPath))) return false;
    const reason = file.symlink
      ? "symbolic link (its content is a path, not source)"
      : ignored(path)
        ? "ignored by configuration"
        : pathSkipReason(path);
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
    const [baseRead, headRead] = await Promise.all([
      file.status === "added"
        ? Promise.resolve<Read>({ kind: "absent" })
        : read(source.base, basePath),
      file.status === "removed"
        ? Promise.resolve<Read>({ kind: "absent" })
        : read(source.head, file.path),
    ]);
    // Providers answer null for binary content: a listed file that reads as absent is binary.
    const skip =
      headRead.kind === "skipped"
        ? headRead.reason
        : file.status !== "removed" && headRead.kind === "absent"
          ? "binary"
          : baseRead.kind === "skipped" && headRead.kind === "absent"
            ? baseRead.reason
            : null;
    if (skip) {
      skipped.push({ file: file.path, reason: skip });
      return;
    }
    const baseSource = baseRead.kind === "source" ? baseRead : null;
    const headSource = headRead.kind === "source" ? headRead : null;
    const regions =
      baseSource && headSource && !options.wholeFiles
        ? changedRegions(baseSource.content, headSource.content)
        : null;
    const spans =
      regions && baseSource && headSource && baseSource.language === headSource.language
        ? jointSpans(baseSource.content, headSource.content, regions, baseSource.language)
        : null;
    // Usually only the spans of both sides around the change are parsed; when that does not
    // check out, each version is parsed whole, once.
    const spanned =
      spans?.cheap && regions && baseSource && headSource
        ? analyseSpans(baseSource, headSource, regions, spans)
        : null;
    const whole = spanned ? null : analyseWhole(baseSource, headSource, regions);
    // tree-sitter's error recovery can lose every function after a construct it cannot parse
    // (TypeScript call signatures split over lines, say): when the whole files have errors,
    // the spans around the change are worth parsing however much they cover, since they may
    // leave the broken statement out. (Spans already tried above would fail the same way.)
    const rescued =
      whole &&
      spans &&
      !spans.cheap &&
      regions &&
      baseSource &&
      headSource &&
      (whole.base?.syntaxErrors || whole.head?.syntaxErrors)
        ? analyseSpans(baseSource, headSource, regions, spans)
        : null;
    const { base, head, changes } = (spanned ?? rescued ?? whole)!;
    if (headSource && head) {
      headFiles.set(file.path, {
        content: headSource.content,
        language: headSource.language,
        tree: rescued ? null : (whole?.headTree ?? null),
        layout: spans?.headLayout ?? null,
        analysed: head,
      });
    }
    if (head?.syntaxErrors) {
      fileNotices.push(`${file.path} has syntax errors; its functions were extracted best-effort`);
    }
    for (const change of changes) {
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
      : await findCallers(
          source,
          targets,
          headFiles,
          ignored,
          options.maxCallerFiles,
          notices,
          options.wholeFiles === true,
        );
  headFiles.clear();
  const targetFor = new Map<AnalysedFunction, CallTarget>(targets.map((t) => [t.fn, t]));
  for (const changed of functions) {
    const fn = functionOf.get(changed);
    const target = fn ? targetFor.get(fn) : undefined;
    if (target) changed.callers = nearestCallSites(target.file, callers.get(target) ?? []);
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

type SourceSide = { content: string; language: Language };

/** A changed file analysed: both sides' functions (null for a side that does not exist), paired. */
interface FileAnalysis {
  base: AnalysedFile | null;
  head: AnalysedFile | null;
  changes: FunctionChange[];
}

function analyse(side: SourceSide, tree: Parser.Tree, regions?: Range[]): AnalysedFile {
  return analyseFile(side.content, side.language, { tree, ...(regions ? { regions } : {}) });
}

/**
 * Parses and analyses only the spans of both sides around the change (see `jointSpans`).
 * Null when that is not provably what whole files give: a span that does not parse cleanly,
 * statements outside the changed ones that parse differently, or an added/removed name that
 * may also be defined outside the spans. The base is parsed first, and the head incrementally
 * from it (most of each span is unchanged).
 */
function analyseSpans(
  baseSource: SourceSide,
  headSource: SourceSide,
  regions: ChangedRegions,
  spans: JointSpans,
): FileAnalysis | null {
  const baseTree = parseSpans(
    baseSource.content,
    baseSource.language,
    spans.base,
    spans.baseBlocks,
  );
  if (!baseTree) return null;
  const base = analyse(baseSource, baseTree, regions.base);
  // The head's spans incrementally from the base's (the same statements, edited by the hunks).
  const headTree = parseSpans(
    headSource.content,
    headSource.language,
    spans.head,
    spans.headBlocks,
    {
      tree: baseTree,
      source: baseSource.content,
      hunks: regions.hunks,
    },
  );
  if (!headTree) return null;
  const head = analyse(headSource, headTree, regions.head);
  const changes = pairFunctions(base.functions, head.functions);
  const partBase = partlyParsed(base, spans.baseBlocks);
  const partHead = partlyParsed(head, spans.headBlocks);
  if (
    base.outside !== head.outside ||
    changes.some((c) => (c.base && partBase.has(c.base)) || (c.head && partHead.has(c.head))) ||
    ambiguous(changes, baseSource, base, headSource, head)
  ) {
    return null;
  }
  return { base, head, changes };
}

/**
 * The functions some of whose own statements were not parsed: those a cut block lies in
 * directly. Such a function's own tokens are read from its text with the tree's nested
 * functions and comments left out, and the unparsed part has neither: whether it changed
 * still reads right (that text is the same on both sides), how much does not.
 */
function partlyParsed(analysed: AnalysedFile, blocks: readonly CutBlock[]): Set<AnalysedFunction> {
  const partly = new Set<AnalysedFunction>();
  for (const block of blocks) {
    const at = innermostAt(analysed.functions, block.open);
    if (at >= 0) partly.add(analysed.functions[at]!);
  }
  return partly;
}

/**
 * Whether pairing within windows could differ from pairing whole files (see `mayOccurOutside`):
 * a changed function's name may also be defined outside the windows (then a function there
 * could be its partner: same-named functions pair identical bodies first, then in order).
 */
function ambiguous(
  changes: FunctionChange[],
  baseSource: SourceSide,
  base: AnalysedFile,
  headSource: SourceSide,
  head: AnalysedFile,
): boolean {
  const shared = (file: AnalysedFile, name: string) =>
    file.functions.filter((fn) => fn.name === name).length > 1;
  return changes.some((change) =>
    change.change === "added"
      ? mayOccurOutside(headSource.content, head, change.head!.name)
      : change.change === "removed"
        ? mayOccurOutside(baseSource.content, base, change.base!.name)
        : (shared(base, change.base!.name) || shared(head, change.head!.name)) &&
          (mayOccurOutside(baseSource.content, base, change.base!.name) ||
            mayOccurOutside(headSource.content, head, change.head!.name)),
  );
}

/**
 * Each version parsed once, whole; the head incrementally from the base tree when they share
 * a grammar (tree-sitter reuses every subtree the edits did not touch). With `regions`, only
 * the statements around them are analysed, unless that could differ from whole files.
 */
function analyseWhole(
  baseSource: SourceSide | null,
  headSource: SourceSide | null,
  regions: ChangedRegions | null,
): FileAnalysis & { headTree: Parser.Tree | null } {
  const baseTree = baseSource ? parseSource(baseSource.content, baseSource.language) : null;
  // Windows are never exact on a side with syntax errors (see below): analyse it whole at once.
  const baseRegions = baseTree?.rootNode.hasError ? undefined : regions?.base;
  let base = baseSource && baseTree ? analyse(baseSource, baseTree, baseRegions) : null;
  let headTree: Parser.Tree | null = null;
  let baseTreeEdited = false;
  if (headSource) {
    if (
      regions &&
      baseSource &&
      baseTree &&
      base &&
      !base.syntaxErrors &&
      !parsedFromRewrite(baseTree) &&
      baseSource.language === headSource.language
    ) {
      headTree = reparseHead(
        baseTree,
        baseSource.content,
        headSource.content,
        regions.hunks,
        headSource.language,
      );
      baseTreeEdited = true;
      // Error recovery can differ from a fresh parse: keep results identical to one.
      if (headTree.rootNode.hasError)
        headTree = parseSource(headSource.content, headSource.language);
    } else {
      headTree = parseSource(headSource.content, headSource.language);
    }
  }
  const headRegions = base?.windows && !headTree?.rootNode.hasError ? regions?.head : undefined;
  let head = headSource && headTree ? analyse(headSource, headTree, headRegions) : null;
  let changes = pairFunctions(base?.functions ?? [], head?.functions ?? []);
  // Windows are exact only when the text around them parses the same way on both sides,
  // and when no added/removed name may also live outside them (then pair the whole file).
  if (
    regions &&
    baseSource &&
    headSource &&
    headTree &&
    base &&
    head &&
    (base.outside !== head.outside ||
      base.syntaxErrors ||
      head.syntaxErrors ||
      ambiguous(changes, baseSource, base, headSource, head))
  ) {
    if (head.windows) head = analyse(headSource, headTree);
    if (base.windows) {
      // The base tree was edited into the head's. Parse the base again incrementally from
      // the head tree (the hunks reversed): tree-sitter reuses only clean subtrees, and a
      // result with errors is redone afresh. The head tree is not needed after this
      // whole-file analysis (the call-site search reuses its functions, not its tree).
      let baseAgain: Parser.Tree | null = null;
      if (
        baseSource.language === headSource.language &&
        !base.syntaxErrors &&
        !parsedFromRewrite(headTree)
      ) {
        baseAgain = reparseHead(
          headTree,
          headSource.content,
          baseSource.content,
          regions.hunks.map((hunk) => ({
            baseStart: hunk.headStart,
            baseEnd: hunk.headEnd,
            headStart: hunk.baseStart,
            headEnd: hunk.baseEnd,
          })),
          baseSource.language,
        );
        headTree = null;
        // Error recovery can differ from a fresh parse: keep results identical to one.
        if (baseAgain.rootNode.hasError) baseAgain = null;
      }
      // A base tree the head was not parsed from is still the fresh parse of the base.
      const fresh = baseTreeEdited || !baseTree ? null : baseTree;
      base = analyse(
        baseSource,
        baseAgain ?? fresh ?? parseSource(baseSource.content, baseSource.language),
      );
    }
    changes = pairFunctions(base.functions, head.functions);
  }
  return { base, head, changes, headTree };
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

/**
 * Call sites of the changed functions in the head tree. A file can call a function of its
 * own module, or an exported/member function of a module it imports (matched by module
 * name, `index` files by folder): only such files that also mention a changed name are
 * parsed, so the search costs a text scan per file, not a parse of the whole repository.
 */
async function findCallers(
  source: SourceProvider,
  targets: CallTarget[],
  headFiles: Map<string, HeadFile>,
  ignored: (path: string) => boolean,
  maxCallerFiles: number | undefined,
  notices: string[],
  wholeFiles: boolean,
): Promise<Map<CallTarget, CallSite[]>> {
  const byFile = new Map<string, CallTarget[]>();
  const byStem = new Map<string, CallTarget[]>();
  for (const target of targets) {
    push(byFile, target.file, target);
    const { fn } = target;
    if (fn.exported || fn.member || fn.kind === "constructor") {
      push(byStem, moduleStem(target.file), target);
    }
  }
  const callers = new Map<CallTarget, CallSite[]>();
  const reachable = (path: string, imports: Set<string>): CallTarget[] => {
    const found = [...(byFile.get(path) ?? [])];
    for (const stem of imports) {
      for (const target of byStem.get(stem) ?? []) if (target.file !== path) found.push(target);
    }
    return found;
  };
  // The call-shaped uses of the names a file can reach, found lexically.
  const candidatesIn = (content: string, reach: CallTarget[]) => {
    const byName = new Map<string, CallTarget[]>();
    for (const target of reach) push(byName, calleeName(target.fn), target);
    return { byName, candidates: callCandidates(content, new Set(byName.keys())) };
  };
  // Analyses only the statements that hold the candidates (reusing what the change analysis
  // of a changed file already covered), and keeps the call sites among them.
  const search = (
    path: string,
    content: string,
    language: Language,
    tree: Parser.Tree | null,
    layout: TopLevelLayout | null,
    { byName, candidates }: { byName: Map<string, CallTarget[]>; candidates: CallCandidate[] },
    done: AnalysedFile | null,
  ) => {
    // Each analysis matches only the candidates it was made for: a partly parsed block
    // holds no nodes for the members around them.
    const analyses: [AnalysedFile, CallCandidate[]][] = [];
    let rest = candidates;
    if (done) {
      const windows = done.windows;
      analyses.push([done, candidates]);
      rest = windows ? candidates.filter((c) => !within(windows, c.start)) : [];
    }
    if (rest.length > 0) {
      const analysed = analyseFile(content, language, {
        tree:
          tree ??
          (wholeFiles
            ? parseSource(content, language)
            : parseAround(content, language, rest, layout ?? undefined)),
        regions: rest,
        bodies: false,
      });
      analyses.push([analysed, rest]);
    }
    for (const [analysed, covered] of analyses) {
      const calls = findCallReferences(analysed, covered);
      collectCallSites(path, analysed, calls, byName, callers);
    }
  };

  for (const [path, head] of headFiles) {
    const found = candidatesIn(head.content, reachable(path, importedStems(head.content)));
    // No call-shaped use of any reachable name: nothing to parse.
    if (found.candidates.length > 0) {
      search(path, head.content, head.language, head.tree, head.layout, found, head.analysed);
    }
  }

  const all = await source.listFiles(source.head);
  let others = all.filter(
    (path) =>
      !headFiles.has(path) && languageFor(path) && !ignored(path) && pathSkipReason(path) === null,
  );
  const limit = maxCallerFiles ?? source.maxCallerFiles ?? Number.POSITIVE_INFINITY;
  if (others.length > limit) {
    // Nearest first: files sharing the most leading folders with a changed file.
    const changedDirs = [...headFiles.keys(), ...targets.map((t) => t.file)].map((path) =>
      path.split("/").slice(0, -1),
    );
    const closeness = (path: string) => {
      const dirs = path.split("/").slice(0, -1);
      let best = 0;
      for (const changed of changedDirs) {
        let shared = 0;
        while (
          shared < dirs.length &&
          shared < changed.length &&
          dirs[shared] === changed[shared]
        ) {
          shared++;
        }
        if (shared > best) best = shared;
      }
      return best;
    };
    const scored = others.map((path) => ({ path, score: closeness(path) }));
    scored.sort((a, b) => b.score - a.score || compare(a.path, b.path));
    others = scored.map((entry) => entry.path);
    notices.push(
      `Call sites were searched in the changed files and the ${limit} nearest of ${others.length} other files`,
    );
    others = others.slice(0, limit);
  }
  await forEachLimited(others, readConcurrency, async (path) => {
    const content = await source.readFile(source.head, path);
    if (content === null) return;
    const reach = reachable(path, importedStems(content));
    // Most files import no changed module, or call none of its changed names: skip the parse.
    if (reach.length === 0) return;
    const found = candidatesIn(content, reach);
    if (found.candidates.length === 0 || contentSkipReason(content)) return;
    search(path, content, languageFor(path)!, null, null, found, null);
  });
  return callers;
}

function within(windows: readonly Range[], at: number): boolean {
  return windows.some((window) => window.start <= at && at < window.end);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
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
