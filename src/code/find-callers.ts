import type { AnalysedFile, AnalysedFunction } from "./analyse-file.ts";
import type { CallReference } from "./call-references.ts";
import type { CallSite } from "./types.ts";

/** Blast radius lists at most this many call sites per function (nearest files first). */
export const maxCallersPerFunction = 100;

/**
 * The call sites a function's blast radius lists: deduplicated, the nearest `maxCallersPerFunction`
 * (its own file, then files sharing the most leading folders with it, then by path and line),
 * in file and line order. Files are searched concurrently, so what the cap keeps must not
 * depend on which file was read first.
 */
export function nearestCallSites(targetFile: string, sites: readonly CallSite[]): CallSite[] {
  const folders = targetFile.split("/").slice(0, -1);
  const closeness = (file: string) => {
    if (file === targetFile) return Number.POSITIVE_INFINITY;
    const parts = file.split("/").slice(0, -1);
    let shared = 0;
    while (shared < parts.length && shared < folders.length && parts[shared] === folders[shared]) {
      shared++;
    }
    return shared;
  };
  const seen = new Set<string>();
  const unique = sites.filter((site) => {
    const key = `${site.file}:${site.line}:${site.function}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  const byFileAndLine = (a: CallSite, b: CallSite) =>
    (a.file < b.file ? -1 : a.file > b.file ? 1 : 0) ||
    a.line - b.line ||
    (a.function < b.function ? -1 : a.function > b.function ? 1 : 0);
  const rank = new Map(unique.map((site) => [site, closeness(site.file)]));
  return unique
    .sort((a, b) => (rank.get(b) ?? 0) - (rank.get(a) ?? 0) || byFileAndLine(a, b))
    .slice(0, maxCallersPerFunction)
    .sort(byFileAndLine);
}

/** What a changed function is called by: name and how it may be referenced. */
export interface CallTarget {
  file: string;
  fn: AnalysedFunction;
}

/** The name a call site uses for a function: the class name for a constructor. */
export function calleeName(fn: AnalysedFunction): string {
  if (fn.kind === "constructor") {
    const segments = fn.name.split(".");
    return segments[segments.length - 2] ?? "";
  }
  return fn.simpleName;
}

/**
 * The name other files import a module by: its file name without extension, or its folder's
 * name for an `index` file. `src/orders/service.ts` → `service`, `src/orders/index.ts` → `orders`.
 */
export function moduleStem(path: string): string {
  const segments = path.split("/");
  const file = segments[segments.length - 1]!.replace(/\.[^.]*$/, "");
  return file === "index" && segments.length > 1 ? segments[segments.length - 2]! : file;
}

const specifierPattern =
  /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*|\bimport\s+)(["'])([^"'\n]+)\1/g;

/** Stems of every module a file imports (`import`, `export ... from`, `require`, `import()`). */
export function importedStems(content: string): Set<string> {
  const stems = new Set<string>();
  for (const match of content.matchAll(specifierPattern)) {
    const specifier = match[2]!.replace(/\/+$/, "");
    const last = specifier.slice(specifier.lastIndexOf("/") + 1).replace(/\.[cm]?[jt]sx?$/, "");
    stems.add(last === "index" ? moduleStem(`${specifier}`) : last);
  }
  return stems;
}

/**
 * Adds to `callers` (keyed by target) the call sites in one head file. Methods and
 * member-assigned functions match `x.name()`; plain functions match `name()`, and from
 * other files only when exported (a non-exported function cannot be called from there).
 * `targetsByName` holds only the targets this file can reach (its own and imported modules').
 */
export function collectCallSites(
  file: string,
  analysed: AnalysedFile,
  calls: readonly CallReference[],
  targetsByName: Map<string, CallTarget[]>,
  callers: Map<CallTarget, CallSite[]>,
): void {
  for (const call of calls) {
    const targets = targetsByName.get(call.name);
    if (!targets) continue;
    for (const target of targets) {
      const { fn } = target;
      const sameFile = target.file === file;
      const either = fn.exported || fn.kind === "constructor";
      if (!(call.member ? fn.member || either : !fn.member || either)) continue;
      if (!sameFile && !fn.exported && !fn.member) continue;
      const list = callers.get(target) ?? [];
      const enclosing = call.enclosing >= 0 ? analysed.functions[call.enclosing]! : null;
      // A function's reference to itself by name is recursion, kept; its own definition is not a call.
      list.push({ file, line: call.line, function: enclosing ? enclosing.name : "<top-level>" });
      callers.set(target, list);
    }
  }
}
