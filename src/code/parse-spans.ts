import type Parser from "tree-sitter";
import { lineOf, lineStartsOf, pointAt, type Range } from "./analyse-file.ts";
import { parseText } from "./parse-text.ts";
import { type ClassBody, type TopLevelLayout, topLevelLayout } from "./top-level-splits.ts";
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
 * Parses only `spans` of `source` (each from one top-level split to another, or a piece of a
 * cut class: its head, members, end), keeping whole-file offsets and rows. Null unless the
 * pieces parsed cleanly and no node crosses a span's edge (every top-level statement inside
 * one span, except a cut class's statement, whose body members each lie inside one): then
 * each span holds exactly the statements (or members) a whole-file parse has there (cuts lie
 * where one must start), and the caller may use it instead.
 */
export function parseSpans(
  source: string,
  language: Language,
  spans: readonly Range[],
  classes: readonly CutClass[] = [],
): Parser.Tree | null {
  if (spans.length === 0) return null;
  const tree = parseText(source, language, includedRanges(source, spans));
  const root = tree.rootNode;
  if (root.hasError) return null;
  const starts = spans.map((span) => span.start);
  const inOneSpan = (node: Parser.SyntaxNode) => {
    const span = spans[lastAtOrBefore(starts, node.startIndex)]!;
    return span.start <= node.startIndex && node.endIndex <= span.end;
  };
  for (const statement of root.namedChildren) {
    if (inOneSpan(statement)) continue;
    const cut = classes.find(
      (c) =>
        c.statement.start <= statement.startIndex &&
        statement.startIndex < c.body.open &&
        c.body.close < statement.endIndex,
    );
    if (!cut || statement.endIndex > cut.statement.end) return null;
    const body = root.descendantForIndex(cut.body.open, cut.body.open + 1).parent;
    if (
      body?.type !== "class_body" ||
      body.startIndex !== cut.body.open ||
      body.endIndex !== cut.body.close + 1 ||
      !body.namedChildren.every(inOneSpan)
    ) {
      return null;
    }
  }
  return tree;
}

/** A class at top level cut into its head, some members and its end. */
export interface CutClass {
  body: ClassBody;
  /** The statement holding the class: from its split to the next. */
  statement: Range;
}

/**
 * A tree holding, for each range, the top-level statement that holds it, or, inside the body
 * of a class at top level, just the member holding it (with the class's head and end, so
 * names stay whole: `class A {` + `m() {...}` + `}`). Only those pieces are parsed when that
 * checks out; the statements around the ranges, or the whole file, otherwise.
 */
export function parseAround(
  source: string,
  language: Language,
  ranges: readonly Range[],
  layout: TopLevelLayout = topLevelLayout(source, language, lastEnd(ranges)),
): Parser.Tree {
  const members = membersAround(layout, source.length, ranges);
  if (members && covers(members.pieces) < source.length * 0.8) {
    const tree = parseSpans(source, language, members.pieces, members.classes);
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
 * The pieces to parse for `ranges` (merged, ascending): members of top-level class bodies,
 * each with its class's head (statement start to `{`) and end (`}` to the next split), and
 * whole statements for ranges outside class bodies. Null when no range lies in a class body.
 */
function membersAround(
  layout: TopLevelLayout,
  length: number,
  ranges: readonly Range[],
): { pieces: Range[]; classes: CutClass[] } | null {
  const { splits, classes } = layout;
  if (classes.length === 0) return null;
  const opens = classes.map((body) => body.open);
  const pieces: Range[] = [];
  const cut = new Map<ClassBody, CutClass>();
  for (const range of ranges) {
    const body = classes[lastAtOrBefore(opens, range.start)]!;
    if (body.open < range.start && range.end <= body.close) {
      const bounds = [body.open + 1, ...body.members, body.close];
      const first = lastAtOrBefore(bounds, range.start);
      const last = Math.min(bounds.length - 1, lastAtOrBefore(bounds, range.end - 1) + 1);
      pieces.push({ start: bounds[first]!, end: Math.max(bounds[last]!, range.end) });
      if (!cut.has(body)) {
        const after = lastAtOrBefore(splits, body.close) + 1;
        const statement = {
          start: splits[lastAtOrBefore(splits, body.open)] ?? 0,
          end: after < splits.length ? splits[after]! : length,
        };
        cut.set(body, { body, statement });
        pieces.push({ start: statement.start, end: body.open + 1 });
        pieces.push({ start: body.close, end: statement.end });
      }
    } else {
      pieces.push(...spansAround(splits, length, [range]));
    }
  }
  if (cut.size === 0) return null;
  pieces.sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  for (const piece of pieces) {
    const previous = merged[merged.length - 1];
    if (previous && piece.start <= previous.end) previous.end = Math.max(previous.end, piece.end);
    else merged.push({ ...piece });
  }
  return { pieces: merged, classes: [...cut.values()] };
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
