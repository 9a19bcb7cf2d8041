import type { AnalysedFile, AnalysedFunction } from "./analyse-file.ts";
import type { CallSite } from "./types.ts";

/** Blast radius lists at most this many call sites per function (nearest files first). */
export const maxCallersPerFunction = 100;

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
 * A regex matching any of the names as a whole identifier, used to skip files that cannot
 * call any changed function before paying for a parse. Null when there is nothing to find.
 */
export function callerPrefilter(names: Iterable<string>): RegExp | null {
  const escaped = [...new Set(names)]
    .filter((name) => /^[A-Za-z_$][\w$]*$/.test(name))
    .map((name) => name.replace(/\$/g, "\\$"));
  if (escaped.length === 0) return null;
  return new RegExp(`(?<![\\w$])(?:${escaped.join("|")})(?![\\w$])`);
}

/**
 * Adds to `callers` (keyed by target) the call sites in one head file. Methods and
 * member-assigned functions match `x.name()`; plain functions match `name()`, and from
 * other files only when exported (a non-exported function cannot be called from there).
 */
export function collectCallSites(
  file: string,
  analysed: AnalysedFile,
  targetsByName: Map<string, CallTarget[]>,
  callers: Map<CallTarget, CallSite[]>,
): void {
  for (const call of analysed.calls) {
    const targets = targetsByName.get(call.name);
    if (!targets) continue;
    for (const target of targets) {
      const { fn } = target;
      const sameFile = target.file === file;
      const either = fn.exported || fn.kind === "constructor";
      if (!(call.member ? fn.member || either : !fn.member || either)) continue;
      if (!sameFile && !fn.exported && !fn.member) continue;
      const list = callers.get(target) ?? [];
      if (list.length >= maxCallersPerFunction) continue;
      const enclosing = call.enclosing >= 0 ? analysed.functions[call.enclosing]! : null;
      // A function's reference to itself by name is recursion, kept; its own definition is not a call.
      list.push({ file, line: call.line, function: enclosing ? enclosing.name : "<top-level>" });
      callers.set(target, list);
    }
  }
}
