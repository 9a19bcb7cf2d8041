import type Parser from "tree-sitter";
import { describe, expect, it } from "vitest";
import { lineStartsOf, pointAt } from "../../../src/code/analyse-file.ts";
import { changedRegions } from "../../../src/code/changed-regions.ts";
import { includedRangesOf, parseText } from "../../../src/code/parse-text.ts";
import { reparseHead } from "../../../src/code/reparse-head.ts";

const values = (ranges: readonly Parser.Range[]) =>
  ranges.map((r) => [r.startIndex, r.endIndex, r.startPosition, r.endPosition]);

const rangesOf = (source: string, spans: [number, number][]): Parser.Range[] => {
  const lines = lineStartsOf(source);
  return spans.map(([start, end]) => ({
    startIndex: start,
    endIndex: end,
    startPosition: pointAt(lines, start),
    endPosition: pointAt(lines, end),
  }));
};

describe("includedRangesOf", () => {
  const base = [
    "export function list(req) {",
    "  return db.all(req.query)",
    "}",
    "",
    "export function show(req) {",
    "  return db.get(req.params.id)",
    "}",
    "",
  ].join("\n");
  const second = base.indexOf("export function show");

  it("answers what tree-sitter parsed, for pieces and incremental re-parses", () => {
    const ranges = rangesOf(base, [[second, base.length]]);
    const tree = parseText(base, "javascript", ranges);
    expect(values(includedRangesOf(tree)!)).toEqual(values(tree.getIncludedRanges()));

    const head = base.replace("db.get(req.params.id)", "db.get(Number(req.params.id))");
    const headRanges = rangesOf(head, [[second, head.length]]);
    const reparsed = reparseHead(
      tree,
      base,
      head,
      changedRegions(base, head).hunks,
      "javascript",
      headRanges,
    );
    expect(values(includedRangesOf(reparsed)!)).toEqual(values(reparsed.getIncludedRanges()));
    expect(reparsed.rootNode.namedChildren.map((node) => node.startIndex)).toEqual([second]);
  });

  it("is null for a tree of the whole text", () => {
    expect(includedRangesOf(parseText(base, "javascript"))).toBeNull();
  });
});
