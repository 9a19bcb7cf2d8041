import type { Range } from "./analyse-file.ts";
import { BlockNesting, memberBounds } from "./block-nesting.ts";
import type { ChangedRegions } from "./changed-regions.ts";
import { headLayoutFromBase } from "./head-layout.ts";
import { type CutBlock, lastAtOrBefore, mergeTouching } from "./parse-spans.ts";
import { type Block, resumableLayout, type TopLevelLayout } from "./top-level-splits.ts";
import type { Language } from "./types.ts";

/** What to parse of each side of a changed file: matching spans, same text between them. */
export interface JointSpans {
  base: Range[];
  head: Range[];
  /** Blocks the spans cut into members, per side (`parseSpans` checks them). */
  baseBlocks: CutBlock[];
  headBlocks: CutBlock[];
  /** The head's top-level layout (the call-site search reuses it). */
  headLayout: TopLevelLayout;
  /** Whether the spans cover at most `spanCoverageLimit` of the two sides (else whole files are cheaper). */
  cheap: boolean;
}

/** A place that starts a statement (or member) on both sides, with equal text up to the next hunk. */
interface Cut {
  base: number;
  head: number;
}

/** What the step between two cuts must show of each side, or all of it (`whole`). */
interface Needs {
  base: Range[];
  head: Range[];
  whole: boolean;
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
 * Inside a statement, the regions' block (a class body, a function body, any statement block)
 * is cut the same way into the members or statements around them, as deep as the regions
 * lie; its head (up to `{`) and end (from `}`) are kept, so names stay whole.
 *
 * Null when no place but the ends can cut both sides.
 */
export function jointSpans(
  base: string,
  head: string,
  regions: ChangedRegions,
  language: Language,
): JointSpans | null {
  const baseLayout = resumableLayout(base, language);
  // The head is lexed again only around the hunks (the rest is the base's, shifted).
  const headLayout = headLayoutFromBase(baseLayout, base.length, head, regions.hunks, language);
  const cuts = alignedCuts(baseLayout.splits, headLayout.splits, regions, base, head);
  if (cuts.length < 2) return null;
  const steps = stepsOf(cuts, regions.base, regions.head);
  if (mayExport(base)) {
    for (let i = 0; i + 1 < cuts.length; i++) {
      // An exporting statement needs its head, not its body: an empty step keeps that.
      if (!steps.has(i) && exporting.test(base.slice(cuts[i]!.base, cuts[i + 1]!.base))) {
        steps.set(i, { base: [], head: [], whole: false });
      }
    }
  }
  const spans: JointSpans = {
    base: [],
    head: [],
    baseBlocks: [],
    headBlocks: [],
    headLayout,
    cheap: true,
  };
  const cutter = new StepCutter(base, head, regions, spans);
  let nesting: { base: BlockNesting; head: BlockNesting } | null = null;
  for (const [index, needs] of [...steps].sort((a, b) => a[0] - b[0])) {
    const from = cuts[index]!;
    const to = cuts[index + 1]!;
    if (!needs.whole) {
      nesting ??= {
        base: new BlockNesting(baseLayout.blocks),
        head: new BlockNesting(headLayout.blocks),
      };
    }
    cutter.cut(from, to, needs, needs.whole ? null : nesting);
  }
  spans.base = mergeTouching(spans.base);
  spans.head = mergeTouching(spans.head);
  const covered = [...spans.base, ...spans.head].reduce((sum, s) => sum + s.end - s.start, 0);
  spans.cheap = covered <= (base.length + head.length) * spanCoverageLimit;
  return spans;
}

/**
 * The steps between consecutive cuts that ranges need, by the index of their first cut: a
 * range inside one step is shown there, one across several makes them all `whole`.
 */
function stepsOf(cuts: readonly Cut[], base: Range[], head: Range[]): Map<number, Needs> {
  const steps = new Map<number, Needs>();
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
  require(base, "base");
  require(head, "head");
  return steps;
}

/** Adds to `spans` the pieces each step needs, cutting blocks into members where it can. */
class StepCutter {
  constructor(
    private readonly base: string,
    private readonly head: string,
    private readonly regions: ChangedRegions,
    private readonly spans: JointSpans,
  ) {}

  /**
   * The step from `from` to `to`: when every range it needs lies in one block on each side
   * (whose `{` and `}` are unchanged text), the block's head and end plus the members around
   * the ranges, each cut the same way in turn; else all of it.
   */
  cut(
    from: Cut,
    to: Cut,
    needs: Needs,
    nesting: { base: BlockNesting; head: BlockNesting } | null,
  ): void {
    const cut = nesting && !needs.whole ? this.blocksToCut(from, to, needs, nesting) : null;
    const { spans } = this;
    if (!cut) {
      if (to.base > from.base) spans.base.push({ start: from.base, end: to.base });
      if (to.head > from.head) spans.head.push({ start: from.head, end: to.head });
      return;
    }
    const { baseBlock, headBlock, members } = cut;
    spans.base.push(
      { start: from.base, end: baseBlock.open + 1 },
      { start: baseBlock.close, end: to.base },
    );
    spans.head.push(
      { start: from.head, end: headBlock.open + 1 },
      { start: headBlock.close, end: to.head },
    );
    spans.baseBlocks.push({
      open: baseBlock.open,
      close: baseBlock.close,
      holder: { start: from.base, end: to.base },
    });
    spans.headBlocks.push({
      open: headBlock.open,
      close: headBlock.close,
      holder: { start: from.head, end: to.head },
    });
    for (const [index, inner] of stepsOf(members, needs.base, needs.head)) {
      this.cut(members[index]!, members[index + 1]!, inner, nesting);
    }
  }

  /**
   * The block of the step on each side that holds what it needs, with the member cuts both
   * sides share from `{` to `}`; null when there is none, or when `{` or `}` changed.
   */
  private blocksToCut(
    from: Cut,
    to: Cut,
    needs: Needs,
    nesting: { base: BlockNesting; head: BlockNesting },
  ): { baseBlock: Block; headBlock: Block; members: Cut[] } | null {
    const baseBlock = holding(nesting.base, from.base, to.base, needs.base);
    const headBlock = holding(nesting.head, from.head, to.head, needs.head);
    if (
      !baseBlock ||
      !headBlock ||
      !inOwnFunctions(nesting.base, baseBlock, needs.base) ||
      !inOwnFunctions(nesting.head, headBlock, needs.head)
    ) {
      return null;
    }
    const members = alignedCuts(
      memberBounds(baseBlock),
      memberBounds(headBlock),
      this.regions,
      this.base,
      this.head,
    ).filter((cut) => cut.base > baseBlock.open && cut.base <= baseBlock.close);
    const first = members[0];
    const last = members[members.length - 1];
    const aligned =
      first?.base === baseBlock.open + 1 &&
      first.head === headBlock.open + 1 &&
      last?.base === baseBlock.close &&
      last.head === headBlock.close;
    return aligned ? { baseBlock, headBlock, members } : null;
  }
}

/**
 * The block of `[from, to)` to cut for `ranges`: the outermost one holding them all that has
 * members, or for no ranges the first block there (a statement needed for its head alone).
 * Object literals are not cut here (see `cuttable`).
 */
function holding(nesting: BlockNesting, from: number, to: number, ranges: Range[]): Block | null {
  if (ranges.length === 0) {
    const first = nesting.firstWithin({ start: from, end: to });
    return first && cuttable(first) ? first : null;
  }
  let start = ranges[0]!.start;
  let end = ranges[0]!.end;
  for (const range of ranges) {
    start = Math.min(start, range.start);
    end = Math.max(end, range.end);
  }
  for (const block of nesting.around({ start, end }, true)) {
    if (block.open >= from && block.close < to && cuttable(block)) return block;
  }
  return null;
}

/**
 * Whether the change analysis may cut a block into members. Not an object literal: which
 * names a module exports is read from whole statements (`module.exports = { a, b }`).
 */
function cuttable(block: Block): boolean {
  return block.members.length > 0 && block.kind !== "object";
}

/**
 * Whether cutting `block` leaves every range where it is no token of the function around the
 * block: in a class body, or inside functions of its own. A function parsed in part must be
 * one the change leaves as it is, since how much of it changed is read from all its tokens.
 */
function inOwnFunctions(nesting: BlockNesting, block: Block, ranges: readonly Range[]): boolean {
  if (block.kind === "class") return true;
  return ranges.every((range) =>
    nesting
      .around(range, true)
      .some((inner) => inner.kind === "function" && inner.open > block.open),
  );
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
