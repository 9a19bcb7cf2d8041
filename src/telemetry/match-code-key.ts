import { namesMatch } from "./function-names.ts";
import type { MappedPath } from "./path-mapper.ts";
import type { FunctionKey } from "./types.ts";

/**
 * Indices of the requested functions a span's code attributes denote: the deployed file
 * must map to the function's repo file (when the span names a file) and the names must
 * match; an exact name wins over a dot-suffix, and an ambiguous suffix matches nothing.
 */
export function matchCodeKey(
  functions: readonly FunctionKey[],
  mapPath: (deployed: string) => MappedPath | null,
  filePath: string,
  functionName: string,
): number[] {
  if (functionName === "") return [];
  const mapped = filePath === "" ? null : mapPath(filePath);
  if (filePath !== "" && mapped === null) return [];
  const candidates: number[] = [];
  for (const [i, f] of functions.entries()) {
    if (mapped && f.file !== mapped.repoPath) continue;
    if (!namesMatch(functionName, f.name)) continue;
    if (f.name === functionName) return [i];
    candidates.push(i);
  }
  return candidates.length === 1 ? candidates : [];
}
