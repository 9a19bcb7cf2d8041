import { analyseFile } from "./analyse-file.ts";
import { languageFor } from "./language-for.ts";
import type { ExtractedFunction } from "./types.ts";

export { languageFor };

/**
 * Every function-like node with a body in one file, outer before inner, with qualified
 * names (`Router.prototype.handle`, `setup.<anonymous>`), 1-based inclusive lines, a hash
 * of the function's own tokens and its signature. Returns [] for paths Faultline does not
 * parse. Never throws on syntax errors: tree-sitter recovers and extraction is best-effort.
 *
 * @example extractFunctions("export const f = (a: number) => a + 1;", "src/f.ts")
 * // [{ name: "f", kind: "arrow", startLine: 1, endLine: 1, signature: "(a: number)", exported: true, ... }]
 */
export function extractFunctions(source: string, path: string): ExtractedFunction[] {
  const language = languageFor(path);
  if (!language) return [];
  return analyseFile(source, language).functions.map((fn) => ({
    name: fn.name,
    kind: fn.kind,
    startLine: fn.startLine,
    endLine: fn.endLine,
    signature: fn.signature,
    bodyHash: fn.bodyHash,
    exported: fn.exported,
  }));
}
