import type { Range } from "./analyse-file.ts";
import type { ChangedRegions } from "./changed-regions.ts";
import { lastAtOrBefore } from "./parse-spans.ts";
import { type TopLevelLayout, topLevelLayout, topLevelSplits } from "./top-level-splits.ts";
import type { Language } from "./types.ts";

/** What to parse of each side of a changed file: matching spans, same text between them. */
export interface JointSpans {
  base: Range[];
  head: Range[];
  /** The head's top-level layout (the call-site search reuses it). */
  headLayout: TopLevelLayout;
  /** Whether the spans cover at most `spanCoverageLimit` of the two sides (else whole files are cheaper). */
  cheap: boolean;
}

/** A place that starts a top-level statement on both sides, with equal text up to the next hunk. */
interface Cut {
  base: number;
  head: number;
}

/** Parsing most of both sides in pieces costs more than a parse and an incremental re-parse. */
export const spanCoverageLimit = 0.6;

/**
 * The spans of base and head that hold every changed region, cut where both sides start a
 * top-level statement at the same unchanged text: between the spans the two files are equal
 * and parse alike, so analysing the spans is analysing the change. Also takes in the
 * unchanged statements that can export a name (`export { a }`, `module.exports = ...`), since
 * whether a changed function is exported depends on them.
 *
 * Null when no place but the ends can cut both sides.
 */
export function jointSpans(
  base: string,
  head: string,
  regions: ChangedRegions,
  language: Language,
): JointSpans | null {
  const headLayout = topLevelLayout(head, language);
  const cuts = alignedCuts(topLevelSplits(base, language), headLayout.splits, regions, base, head);
  if (cuts.length < 2) return null;
  // Each region needs the cuts around it: [last at or before its start, first past its end].
  const needed: [number, number][] = [];
  const require = (ranges: Range[], side: keyof Cut) => {
    const offsets = cuts.map((cut) => cut[side]);
    for (const range of ranges) {
      const left = Math.min(cuts.length - 2, lastAtOrBefore(offsets, range.start));
      const right = Math.min(cuts.length - 1, lastAtOrBefore(offsets, range.end) + 1);
      needed.push([left, Math.max(right, left + 1)]);
    }
  };
  require(regions.base, "base");
  require(regions.head, "head");
  if (mayExport(base)) {
    for (let i = 0; i + 1 < cuts.length; i++) {
      if (exporting.test(base.slice(cuts[i]!.base, cuts[i + 1]!.base))) needed.push([i, i + 1]);
    }
  }
  needed.sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [left, right] of needed) {
    const last = merged[merged.length - 1];
    if (last && left <= last[1]) last[1] = Math.max(last[1], right);
    else merged.push([left, right]);
  }
  const spans: JointSpans = { base: [], head: [], headLayout, cheap: true };
  let covered = 0;
  for (const [left, right] of merged) {
    const from = cuts[left]!;
    const to = cuts[right]!;
    if (to.base > from.base) spans.base.push({ start: from.base, end: to.base });
    if (to.head > from.head) spans.head.push({ start: from.head, end: to.head });
    covered += to.base - from.base + to.head - from.head;
  }
  spans.cheap = covered <= (base.length + head.length) * spanCoverageLimit;
  return spans;
}

/**
 * Splits that start a statement on both sides at the same unchanged text, in order, from
 * (0, 0) to the two ends. Between hunks, base offset + shift = head offset.
 */
function alignedCuts(
  baseSplits: readonly number[],
  headSplits: readonly number[],
  { hunks }: ChangedRegions,
  base: string,
  head: string,
): Cut[] {
  const headSet = new Set(headSplits);
  const cuts: Cut[] = [];
  let next = 0;
  for (let segment = 0; segment <= hunks.length; segment++) {
    const previous = hunks[segment - 1];
    const from = previous ? previous.baseEnd : 0;
    const to = segment < hunks.length ? hunks[segment]!.baseStart : base.length;
    const shift = previous ? previous.headEnd - previous.baseEnd : 0;
    while (next < baseSplits.length && baseSplits[next]! < from) next++;
    for (let i = next; i < baseSplits.length && baseSplits[i]! <= to; i++) {
      const at = baseSplits[i]!;
      if (headSet.has(at + shift)) cuts.push({ base: at, head: at + shift });
    }
  }
  const last = cuts[cuts.length - 1];
  if (!last || last.base !== base.length || last.head !== head.length) {
    cuts.push({ base: base.length, head: head.length });
  }
  return cuts;
}

// Statements that can export a local name, at a line start: `export { a }`, `export default a`,
// `module.exports = ...`, `exports.a = ...`, `var proto = module.exports = ...`.
const exporting =
  /^(?:export\s*(?:type\s*)?\{|export\s+default\s+[A-Za-z_$]|(?:module\.)?exports\b|(?:var|let|const)\b[^;]*?\bexports\b)/m;

function mayExport(source: string): boolean {
  return source.includes("export");
}
