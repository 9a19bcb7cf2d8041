import type Parser from "tree-sitter";
import { lineOf, lineStartsOf, pointAt, type Range } from "./analyse-file.ts";
import { parseText } from "./parse-text.ts";
import { topLevelSplits } from "./top-level-splits.ts";
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
 * Parses only `spans` of `source` (each from one top-level split to another), keeping
 * whole-file offsets and rows. Null unless the pieces parsed cleanly and no top-level node
 * crosses a span's edge: then each span holds exactly the statements a whole-file parse has
 * there (cuts lie where a statement must start), and the caller may use it instead.
 */
export function parseSpans(
  source: string,
  language: Language,
  spans: readonly Range[],
): Parser.Tree | null {
  if (spans.length === 0) return null;
  const lineStarts = lineStartsOf(source);
  const ranges: Parser.Range[] = spans.map((span) => ({
    startIndex: span.start,
    startPosition: pointAt(lineStarts, span.start),
    endIndex: span.end,
    endPosition: pointAt(lineStarts, span.end),
  }));
  const tree = parseText(source, language, ranges);
  const root = tree.rootNode;
  if (root.hasError) return null;
  let span = 0;
  for (const statement of root.namedChildren) {
    const start = statement.startIndex;
    while (span < spans.length && spans[span]!.end <= start) span++;
    const holder = spans[span];
    if (!holder || start < holder.start || statement.endIndex > holder.end) return null;
  }
  return tree;
}

/**
 * A tree holding every top-level statement that touches the ranges: only the spans around
 * them when that parse checks out, the whole file otherwise.
 */
export function parseAround(
  source: string,
  language: Language,
  ranges: readonly Range[],
  splits: readonly number[] = topLevelSplits(source, language, lastEnd(ranges)),
): Parser.Tree {
  const spans = spansAround(splits, source.length, ranges);
  // Spans covering most of the file save nothing: parse it whole, unless the whole parse
  // has errors that the spans may leave out (tree-sitter's recovery can lose every function
  // after a construct it cannot parse).
  const covered = spans.reduce((sum, span) => sum + span.end - span.start, 0);
  const cheaper = covered < source.length * 0.8;
  const spanned = cheaper ? parseSpans(source, language, spans) : null;
  if (spanned) return spanned;
  const whole = parseText(source, language);
  return (!cheaper && whole.rootNode.hasError && parseSpans(source, language, spans)) || whole;
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
