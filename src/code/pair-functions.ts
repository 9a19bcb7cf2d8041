import type { AnalysedFunction } from "./analyse-file.ts";
import type { ChangeKind } from "./types.ts";

/** One function-level change between a base file and its head file. */
export interface FunctionChange {
  change: ChangeKind;
  base?: AnalysedFunction;
  head?: AnalysedFunction;
  /** For `added`: the base name whose (nearly) identical body this function took over. */
  renamedFrom?: AnalysedFunction;
  /** How much of the function's own code changed, 0..1. */
  changeRatio: number;
}

// A renamed function may also have been touched a little.
const renameSimilarity = 0.8;
// Keeps near-rename matching cheap on files where everything was rewritten.
const maxRenameComparisons = 20_000;

/**
 * Pairs base and head functions of one file by qualified name (identical bodies first,
 * at the same place among their namesakes before elsewhere, then in source order) and reports what changed. A name that disappeared while a new
 * name appeared with the same (or a nearly same) body is reported as `added` with
 * `renamedFrom`, plus the `removed` entry for the old name. Unchanged functions are omitted.
 */
export function pairFunctions(
  baseFunctions: readonly AnalysedFunction[],
  headFunctions: readonly AnalysedFunction[],
): FunctionChange[] {
  const baseByName = groupByName(baseFunctions);
  const headByName = groupByName(headFunctions);
  const changes: FunctionChange[] = [];
  const added: AnalysedFunction[] = [];
  const removed: AnalysedFunction[] = [];

  for (const [name, heads] of headByName) {
    const bases = baseByName.get(name) ?? [];
    const baseTaken = new Array<boolean>(bases.length).fill(false);
    const unmatchedHeads: AnalysedFunction[] = [];
    // Of namesakes with identical bodies, the one at the same place among them first: with
    // two identical `console.error = function` stubs and the first one edited, the second
    // stays the second one's partner.
    const headTaken = heads.map((head, i) => {
      const same = i < bases.length && bases[i]!.bodyHash === head.bodyHash;
      if (same) baseTaken[i] = true;
      return same;
    });
    heads.forEach((head, h) => {
      if (headTaken[h]) return;
      const same = bases.findIndex((base, i) => !baseTaken[i] && base.bodyHash === head.bodyHash);
      if (same >= 0) baseTaken[same] = true;
      else unmatchedHeads.push(head);
    });
    const unmatchedBases = bases.filter((_, i) => !baseTaken[i]);
    const paired = Math.min(unmatchedHeads.length, unmatchedBases.length);
    for (let i = 0; i < paired; i++) {
      const base = unmatchedBases[i]!;
      const head = unmatchedHeads[i]!;
      changes.push({
        change: "modified",
        base,
        head,
        changeRatio: Math.max(0.01, 1 - similarity(base.tokens(), head.tokens())),
      });
    }
    added.push(...unmatchedHeads.slice(paired));
    removed.push(...unmatchedBases.slice(paired));
  }
  for (const [name, bases] of baseByName) {
    if (!headByName.has(name)) removed.push(...bases);
  }

  const renames = matchRenames(added, removed);
  for (const head of added) {
    const from = renames.get(head);
    changes.push(
      from
        ? { change: "added", head, renamedFrom: from, changeRatio: 1 }
        : { change: "added", head, changeRatio: 1 },
    );
  }
  for (const base of removed) changes.push({ change: "removed", base, changeRatio: 1 });
  return changes;
}

function groupByName(functions: readonly AnalysedFunction[]): Map<string, AnalysedFunction[]> {
  const groups = new Map<string, AnalysedFunction[]>();
  for (const fn of functions) {
    const group = groups.get(fn.name);
    if (group) group.push(fn);
    else groups.set(fn.name, [fn]);
  }
  return groups;
}

/** Added function → the removed function it was renamed from. */
function matchRenames(
  added: readonly AnalysedFunction[],
  removed: readonly AnalysedFunction[],
): Map<AnalysedFunction, AnalysedFunction> {
  const renames = new Map<AnalysedFunction, AnalysedFunction>();
  if (added.length === 0 || removed.length === 0) return renames;
  const taken = new Set<AnalysedFunction>();
  // Identical bodies first (hash equality), in source order.
  for (const head of added) {
    const base = removed.find((b) => !taken.has(b) && b.bodyHash === head.bodyHash);
    if (base) {
      renames.set(head, base);
      taken.add(base);
    }
  }
  if (added.length * removed.length > maxRenameComparisons) return renames;
  // Then nearly identical bodies, best match first.
  const candidates: { head: AnalysedFunction; base: AnalysedFunction; score: number }[] = [];
  for (const head of added) {
    if (renames.has(head) || head.tokens().length < 8) continue;
    for (const base of removed) {
      if (taken.has(base) || base.kind !== head.kind) continue;
      const sizeRatio =
        Math.min(base.tokens().length, head.tokens().length) /
        Math.max(base.tokens().length, head.tokens().length);
      if (sizeRatio < renameSimilarity) continue;
      const score = similarity(base.tokens(), head.tokens());
      if (score >= renameSimilarity) candidates.push({ head, base, score });
    }
  }
  candidates.sort((a, b) => b.score - a.score);
  for (const { head, base } of candidates) {
    if (renames.has(head) || taken.has(base)) continue;
    renames.set(head, base);
    taken.add(base);
  }
  return renames;
}

/** Dice coefficient over token multisets: 1 = same tokens, 0 = nothing in common. */
export function similarity(a: readonly string[], b: readonly string[]): number {
  if (a.length === 0 && b.length === 0) return 1;
  const counts = new Map<string, number>();
  for (const token of a) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of b) {
    const count = counts.get(token);
    if (count) {
      common += 1;
      counts.set(token, count - 1);
    }
  }
  return (2 * common) / (a.length + b.length);
}
