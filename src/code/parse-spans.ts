import type Parser from "tree-sitter";
import { lineOf, lineStartsOf, pointAt, type Range } from "./analyse-file.ts";
import { BlockNesting, memberBounds } from "./block-nesting.ts";
import type { Hunk } from "./changed-regions.ts";
import { parsedFromRewrite, parseText } from "./parse-text.ts";
import { reparseHead } from "./reparse-head.ts";
import {
  type Block,
  nestedBlocks,
  type TopLevelLayout,
  topLevelLayout,
} from "./top-level-splits.ts";
import type { Language } from "./types.ts";

/** The stretches between consecutive splits that hold any of the ranges, merged, ascending. */
export function spansAround(
  splits: readonly number[],
  length: number,
  ranges: readonly Range[],
): Range[] {
  const spans: Range[] = [];
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  for (const range of sorted) {
    const start = splits[lastAtOrBefore(splits, range.start)] ?? 0;
    // The first split past the range's end (a range ending on a split still needs its line).
    const after = lastAtOrBefore(splits, range.end) + 1;
    const end = after < splits.length ? splits[after]! : length;
    const last = spans[spans.length - 1];
    if (last && start <= last.end) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  return spans;
}

/**
 * Parses only `spans` of `source`, keeping whole-file offsets and rows. A span runs from one
 * top-level split to another, or is a piece of a cut block (its head up to `{`, some of its
 * members, its end from `}`: see `CutBlock`). Null unless the pieces parsed cleanly and no
 * node crosses a span's edge: every top-level statement, and every member of a cut block,
 * lies inside one span or holds a cut block (inside the piece holding that block). Then each
 * span holds exactly the statements (or members) a whole-file parse has there (cuts lie where
 * one must start), and the caller may use the tree instead.
 *
 * With `from`, the spans are parsed incrementally from the tree of another version's matching
 * spans (edited in place by the hunks between them: analyse it first); a result with errors is
 * parsed afresh, since error recovery can differ from a fresh parse.
 */
export function parseSpans(
  source: string,
  language: Language,
  spans: readonly Range[],
  blocks: readonly CutBlock[] = [],
  from?: { tree: Parser.Tree; source: string; hunks: readonly Hunk[] },
): Parser.Tree | null {
  if (spans.length === 0) return null;
  const ranges = includedRanges(source, spans);
  let tree: Parser.Tree | null = null;
  if (from && !parsedFromRewrite(from.tree)) {
    tree = reparseHead(from.tree, from.source, source, from.hunks, language, ranges);
    if (tree.rootNode.hasError) tree = null;
  }
  tree ??= parseText(source, language, ranges);
  const root = tree.rootNode;
  if (root.hasError) return null;
  const starts = spans.map((span) => span.start);
  const cuts = [...blocks].sort((a, b) => a.open - b.open);
  const opens = cuts.map((block) => block.open);
  const fits = (node: Parser.SyntaxNode) => {
    const start = node.startIndex;
    const end = node.endIndex;
    const span = spans[lastAtOrBefore(starts, start)]!;
    if (span.start <= start && end <= span.end) return true;
    // Else it must hold a cut block, inside the piece holding that block: the first cut block
    // opening in it is its outermost.
    const block = cuts[lineOf(opens, start)];
    return (
      block !== undefined &&
      block.close < end &&
      block.holder.start <= start &&
      end <= block.holder.end
    );
  };
  if (!root.namedChildren.every(fits)) return null;
  for (const block of blocks) {
    const node = root.descendantForIndex(block.open, block.open + 1).parent;
    if (
      !node ||
      !cutTypes.has(node.type) ||
      node.startIndex !== block.open ||
      node.endIndex !== block.close + 1 ||
      !node.namedChildren.every(fits)
    ) {
      return null;
    }
  }
  return tree;
}

// What a cut block may be: a class body, a block of statements, a `switch` body (cut into
// clauses), an object literal (into properties), a TypeScript interface body or object type.
const cutTypes = new Set([
  "class_body",
  "statement_block",
  "switch_body",
  "object",
  "interface_body",
  "object_type",
]);

/**
 * A block (see `cutTypes`) parsed as some of its members: its head (from its
 * holder's start to `{`) and end (from `}` to its holder's end) are parsed with them.
 */
export interface CutBlock {
  /** Offset of the `{`. */
  open: number;
  /** Offset of the `}`. */
  close: number;
  /** The top-level statement, or member of the enclosing cut block, that holds the block. */
  holder: Range;
}

/**
 * A tree holding, for each range, the top-level statement that holds it, or, inside blocks
 * (class bodies, function bodies and other statement blocks, `switch` bodies, object
 * literals), just the member, statement, clause or property holding it, with the heads and
 * ends of the blocks around it (so names stay whole:
 * `class A {` + `m() {` + `return f(x);` + `}` + `}`). Only those pieces are parsed when that
 * checks out; the statements around the ranges, or the whole file, otherwise.
 */
export function parseAround(
  source: string,
  language: Language,
  ranges: readonly Range[],
  layout: TopLevelLayout = topLevelLayout(source, language, lastEnd(ranges), true),
): Parser.Tree {
  const pieces = piecesAround(source, language, layout, ranges);
  if (pieces && covers(pieces.spans) < source.length * 0.8) {
    const tree = parseSpans(source, language, pieces.spans, pieces.blocks);
    if (tree) return tree;
  }
  const spans = spansAround(layout.splits, source.length, ranges);
  // Spans covering most of the file save nothing: parse it whole, unless the whole parse
  // has errors that the spans may leave out (tree-sitter's recovery can lose every function
  // after a construct it cannot parse).
  const cheaper = covers(spans) < source.length * 0.8;
  const spanned = cheaper ? parseSpans(source, language, spans) : null;
  if (spanned) return spanned;
  const whole = parseText(source, language);
  return (!cheaper && whole.rootNode.hasError && parseSpans(source, language, spans)) || whole;
}

function covers(spans: readonly Range[]): number {
  return spans.reduce((sum, span) => sum + span.end - span.start, 0);
}

/**
 * The pieces to parse for `ranges` (merged, ascending): for a range inside blocks that have
 * members, the innermost member holding it plus each enclosing block's head and end; for
 * other ranges their top-level statements. Null when no range lies inside such a block.
 */
function piecesAround(
  source: string,
  language: Language,
  layout: TopLevelLayout,
  ranges: readonly Range[],
): { spans: Range[]; blocks: CutBlock[] } | null {
  const pieces: Range[] = [];
  const cut = new Map<number, CutBlock>();
  // The blocks cut inside each holder: the holder is parsed around all of them (an `if` chain's
  // branches are sibling blocks of one statement, and each keeps only what it needs).
  const cutIn = new Map<string, { holder: Range; blocks: Map<number, Block> }>();
  // All blocks of a deep layout, else those of each statement as ranges need them.
  const everyBlock = layout.deep ? new BlockNesting(layout.blocks) : null;
  const blocksOf = new Map<number, BlockNesting>();
  const boundsOf = new Map<Block, number[]>();
  for (const range of ranges) {
    const [statement] = spansAround(layout.splits, source.length, [range]);
    let nesting = everyBlock ?? blocksOf.get(statement!.start);
    if (!nesting) {
      nesting = new BlockNesting(nestedBlocks(source, language, statement!.start, statement!.end));
      blocksOf.set(statement!.start, nesting);
    }
    let holder = statement!;
    for (const block of nesting.around(range)) {
      if (block.members.length === 0) continue;
      if (!(holder.start <= block.open && block.close < holder.end)) break;
      if (!cut.has(block.open))
        cut.set(block.open, { open: block.open, close: block.close, holder });
      const key = `${holder.start}:${holder.end}`;
      let inHolder = cutIn.get(key);
      if (!inHolder) {
        inHolder = { holder, blocks: new Map() };
        cutIn.set(key, inHolder);
      }
      inHolder.blocks.set(block.open, block);
      let bounds = boundsOf.get(block);
      if (!bounds) {
        bounds = memberBounds(block);
        boundsOf.set(block, bounds);
      }
      const first = lastAtOrBefore(bounds, range.start);
      const last = Math.min(bounds.length - 1, lastAtOrBefore(bounds, range.end - 1) + 1);
      holder = { start: bounds[first]!, end: Math.max(bounds[last]!, range.end) };
    }
    pieces.push(holder);
  }
  if (cut.size === 0) return null;
  for (const { holder, blocks } of cutIn.values()) {
    // Blocks cut in one holder are siblings: each range's outermost block with members there.
    let from = holder.start;
    for (const block of [...blocks.values()].sort((x, y) => x.open - y.open)) {
      pieces.push({ start: from, end: block.open + 1 });
      from = block.close;
    }
    pieces.push({ start: from, end: holder.end });
  }
  return { spans: mergeTouching(pieces), blocks: [...cut.values()] };
}

/** Non-empty ranges sorted and merged where they overlap or touch. */
export function mergeTouching(ranges: readonly Range[]): Range[] {
  const sorted = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const range of sorted) {
    const previous = merged[merged.length - 1];
    if (previous && range.start <= previous.end) previous.end = Math.max(previous.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}

function includedRanges(source: string, spans: readonly Range[]): Parser.Range[] {
  const lineStarts = lineStartsOf(source);
  return spans.map((span) => ({
    startIndex: span.start,
    startPosition: pointAt(lineStarts, span.start),
    endIndex: span.end,
    endPosition: pointAt(lineStarts, span.end),
  }));
}

/** Where the last of the ranges ends (the spans around them need no split past the next one). */
function lastEnd(ranges: readonly Range[]): number {
  let end = 0;
  for (const range of ranges) end = Math.max(end, range.end);
  return end;
}

/** Index of the last offset at or before `offset` in ascending `splits` (0 when none). */
export function lastAtOrBefore(splits: readonly number[], offset: number): number {
  // `lineOf` counts the starts at or before an offset: the same search.
  return Math.max(0, lineOf(splits, offset) - 1);
}
