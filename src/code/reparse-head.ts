import type Parser from "tree-sitter";
import { lineStartsOf, pointAt } from "./analyse-file.ts";
import type { Hunk } from "./changed-regions.ts";
import { withoutNodeCache } from "./node-cache.ts";
import { parsedFromRanges } from "./parse-text.ts";
import { toolsFor } from "./parser-pool.ts";
import type { Language } from "./types.ts";

/**
 * Parses the head version incrementally from the base tree: the hunks become tree edits
 * (last first, so each is in the base's coordinates) and tree-sitter reuses every subtree
 * the edits did not touch. The base tree is edited in place: analyse it first. With
 * `includedRanges`, only those ranges of the head are parsed (the base tree may have been
 * parsed from the matching ranges of the base).
 */
export function reparseHead(
  baseTree: Parser.Tree,
  base: string,
  head: string,
  hunks: readonly Hunk[],
  language: Language,
  includedRanges?: Parser.Range[],
): Parser.Tree {
  const baseLines = lineStartsOf(base);
  for (let i = hunks.length - 1; i >= 0; i--) {
    const hunk = hunks[i]!;
    const inserted = head.slice(hunk.headStart, hunk.headEnd);
    const startPosition = pointAt(baseLines, hunk.baseStart);
    const newlines = countNewlines(inserted);
    const lastNewline = inserted.lastIndexOf("\n");
    baseTree.edit({
      startIndex: hunk.baseStart,
      oldEndIndex: hunk.baseEnd,
      newEndIndex: hunk.baseStart + inserted.length,
      startPosition,
      oldEndPosition: pointAt(baseLines, hunk.baseEnd),
      newEndPosition:
        newlines === 0
          ? { row: startPosition.row, column: startPosition.column + inserted.length }
          : { row: startPosition.row + newlines, column: inserted.length - lastNewline - 1 },
    });
  }
  const options = includedRanges ? { includedRanges } : undefined;
  return parsedFromRanges(
    withoutNodeCache(toolsFor(language).parser.parse(head, baseTree, options)),
    includedRanges,
  );
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}
