import type { Range } from "./analyse-file.ts";
import type { ChangedRegions } from "./changed-regions.ts";
import { type CutBlock, lastAtOrBefore, mergeTouching } from "./parse-spans.ts";
import { type Block, type TopLevelLayout, topLevelLayout } from "./top-level-splits.ts";
import type { Language } from "./types.ts";

/** What to parse of each side of a changed file: matching spans, same text between them. */
export interface JointSpans {
  base: Range[];
  head: Range[];
  /** Classes whose bodies the spans cut into members, per side (`parseSpans` checks them). */
  baseClasses: CutBlock[];
  headClasses: CutBlock[];
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
  const baseLayout = topLevelLayout(base, language);
  const headLayout = topLevelLayout(head, language);
  const cuts = alignedCuts(baseLayout.splits, headLayout.splits, regions, base, head);
  if (cuts.length < 2) return null;
  // What each step between two cuts must show: the regions inside it (cut into class members
  // when they all lie in the class body the step holds), or all of it.
  const steps = new Map<number, { base: Range[]; head: Range[]; whole: boolean }>();
  const step = (index: number) => {
    let found = steps.get(index);
    if (!found) {
      found = { base: [], head: [], whole: false };
      steps.set(index, found);
    }
    return found;
  };
  const require = (ranges: Range[], side: keyof Cut) => {
    const offsets = cuts.map((cut) => cut[side]);
    for (const range of ranges) {
      const [left, right] = cutsAround(offsets, range);
      if (right === left + 1) step(left)[side].push(range);
      else for (let i = left; i < right; i++) step(i).whole = true;
    }
  };
  require(regions.base, "base");
  require(regions.head, "head");
  if (mayExport(base)) {
    for (let i = 0; i + 1 < cuts.length; i++) {
      // An exporting class needs its statement, not its members: an empty step does.
      if (exporting.test(base.slice(cuts[i]!.base, cuts[i + 1]!.base))) step(i);
    }
  }
  const spans: JointSpans = {
    base: [],
    head: [],
    baseClasses: [],
    headClasses: [],
    headLayout,
    cheap: true,
  };
  for (const [index, needs] of [...steps].sort((a, b) => a[0] - b[0])) {
    const from = cuts[index]!;
    const to = cuts[index + 1]!;
    const members = needs.whole
      ? null
      : classMembers(from, to, needs, baseLayout.blocks, headLayout.blocks, regions, base, head);
    if (members) {
      spans.base.push(...members.base);
      spans.head.push(...members.head);
      spans.baseClasses.push(members.baseClass);
      spans.headClasses.push(members.headClass);
    } else {
      if (to.base > from.base) spans.base.push({ start: from.base, end: to.base });
      if (to.head > from.head) spans.head.push({ start: from.head, end: to.head });
    }
  }
  spans.base = mergeTouching(spans.base);
  spans.head = mergeTouching(spans.head);
  const covered = [...spans.base, ...spans.head].reduce((sum, s) => sum + s.end - s.start, 0);
  spans.cheap = covered <= (base.length + head.length) * spanCoverageLimit;
  return spans;
}

/**
 * When the step between two cuts holds one class body on each side and every region of the
 * step lies inside it: the class's head (to `{`), the members around the regions (cut where
 * both sides start a member at the same unchanged text) and its end (from `}`), per side.
 */
function classMembers(
  from: Cut,
  to: Cut,
  needs: { base: Range[]; head: Range[] },
  baseClasses: readonly Block[],
  headClasses: readonly Block[],
  regions: ChangedRegions,
  base: string,
  head: string,
): { base: Range[]; head: Range[]; baseClass: CutBlock; headClass: CutBlock } | null {
  const onlyBody = (classes: readonly Block[], start: number, end: number) => {
    const inside = classes.filter((body) => start <= body.open && body.close < end);
    return inside.length === 1 ? inside[0]! : null;
  };
  const baseBody = onlyBody(baseClasses, from.base, to.base);
  const headBody = onlyBody(headClasses, from.head, to.head);
  if (!baseBody || !headBody) return null;
  const inBody = (body: Block) => (range: Range) =>
    body.open < range.start && range.end <= body.close;
  if (!needs.base.every(inBody(baseBody)) || !needs.head.every(inBody(headBody))) return null;
  const bounds = (body: Block) => [body.open + 1, ...body.members, body.close];
  const cuts = alignedCuts(bounds(baseBody), bounds(headBody), regions, base, head).filter(
    (cut) => cut.base > baseBody.open && cut.base <= baseBody.close,
  );
  const first = cuts[0];
  const last = cuts[cuts.length - 1];
  if (
    !first ||
    !last ||
    first.base !== baseBody.open + 1 ||
    first.head !== headBody.open + 1 ||
    last.base !== baseBody.close ||
    last.head !== headBody.close
  ) {
    return null;
  }
  const pieces: { base: Range[]; head: Range[] } = {
    base: [
      { start: from.base, end: baseBody.open + 1 },
      { start: baseBody.close, end: to.base },
    ],
    head: [
      { start: from.head, end: headBody.open + 1 },
      { start: headBody.close, end: to.head },
    ],
  };
  const require = (ranges: Range[], side: keyof Cut) => {
    const offsets = cuts.map((cut) => cut[side]);
    for (const range of ranges) {
      const [left, right] = cutsAround(offsets, range);
      pieces.base.push({ start: cuts[left]!.base, end: cuts[right]!.base });
      pieces.head.push({ start: cuts[left]!.head, end: cuts[right]!.head });
    }
  };
  require(needs.base, "base");
  require(needs.head, "head");
  return {
    base: pieces.base,
    head: pieces.head,
    baseClass: {
      open: baseBody.open,
      close: baseBody.close,
      holder: { start: from.base, end: to.base },
    },
    headClass: {
      open: headBody.open,
      close: headBody.close,
      holder: { start: from.head, end: to.head },
    },
  };
}

/**
 * The cuts a range needs around it, as indexes into `offsets` (one side's cut offsets):
 * [last at or before its start, first past its end], at least one step apart.
 */
function cutsAround(offsets: readonly number[], range: Range): [number, number] {
  const left = Math.min(offsets.length - 2, lastAtOrBefore(offsets, range.start));
  const right = Math.min(offsets.length - 1, lastAtOrBefore(offsets, range.end) + 1);
  return [left, Math.max(left + 1, right)];
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
