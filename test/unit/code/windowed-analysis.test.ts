import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyseFile, mayOccurOutside, parseSource } from "../../../src/code/analyse-file.ts";
import { changedRegions } from "../../../src/code/changed-regions.ts";
import { pairFunctions } from "../../../src/code/pair-functions.ts";
import { reparseHead } from "../../../src/code/reparse-head.ts";
import type { Language } from "../../../src/code/types.ts";

const fixtures: [string, Language][] = [
  ["express-router.js.txt", "javascript"],
  ["decorated-service.ts.txt", "typescript"],
  ["components.tsx.txt", "tsx"],
  ["object-router.cjs.txt", "javascript"],
];

const read = (name: string) =>
  readFileSync(new URL(`../../fixtures/code/${name}`, import.meta.url), "utf8");

type Change = ReturnType<typeof pairFunctions>[number];
const describeChange = (c: Change) =>
  `${c.change} ${(c.head ?? c.base)!.name} ${(c.head ?? c.base)!.startLine} ${c.renamedFrom?.name ?? ""}`;

/**
 * What collectChanges does: the head parsed incrementally from the base tree, windows around
 * the changed lines, the whole file when that is unsafe.
 */
function windowed(base: string, head: string, language: Language): string[] {
  const regions = changedRegions(base, head);
  const baseTree = parseSource(base, language);
  const a = analyseFile(base, language, { tree: baseTree, regions: regions.base });
  let headTree = a.syntaxErrors
    ? parseSource(head, language)
    : reparseHead(baseTree, base, head, regions.hunks, language);
  if (headTree.rootNode.hasError) headTree = parseSource(head, language);
  const b = analyseFile(head, language, { tree: headTree, regions: regions.head });
  const changes = pairFunctions(a.functions, b.functions);
  const unsafe =
    a.outside !== b.outside ||
    a.syntaxErrors ||
    b.syntaxErrors ||
    changes.some((c) =>
      c.change === "added"
        ? mayOccurOutside(head, b, c.head!.name)
        : c.change === "removed"
          ? mayOccurOutside(base, a, c.base!.name)
          : false,
    );
  if (unsafe) {
    return pairFunctions(
      analyseFile(base, language).functions,
      analyseFile(head, language).functions,
    )
      .map(describeChange)
      .sort();
  }
  return changes.map(describeChange).sort();
}

function whole(base: string, head: string, language: Language): string[] {
  return pairFunctions(analyseFile(base, language).functions, analyseFile(head, language).functions)
    .map(describeChange)
    .sort();
}

describe("changedRegions", () => {
  it("covers deleted lines in base and inserted lines in head, plus the other side's point", () => {
    const base = "a\nb\nc\nd\n";
    const head = "a\nB\nc\nd\ne\n";
    const regions = changedRegions(base, head);
    // Widened to the neighbouring non-blank characters on both sides.
    // "b" -> "B": base [2,3] and head [2,3], widened to "a".."c"; "e" appended at head
    // [8,9], and at base's end (8): both widened back to "d" (6).
    expect(regions.base).toEqual([
      { start: 0, end: 4 },
      { start: 6, end: 8 },
    ]);
    expect(regions.head).toEqual([
      { start: 0, end: 4 },
      { start: 6, end: 10 },
    ]);
    // The raw hunks: line 2 replaced, line 5 appended.
    expect(regions.hunks).toEqual([
      { baseStart: 2, baseEnd: 4, headStart: 2, headEnd: 4 },
      { baseStart: 8, baseEnd: 8, headStart: 8, headEnd: 10 },
    ]);
    expect(changedRegions(base, base)).toEqual({ base: [], head: [], hunks: [] });
  });
});

describe("windowed analysis finds exactly what whole-file analysis finds", () => {
  // Deterministic edits of every kind a commit makes, on every fixture line.
  const edits: [string, (lines: string[], at: number) => void][] = [
    ["delete a line", (lines, at) => lines.splice(at, 1)],
    ["insert a blank line", (lines, at) => lines.splice(at, 0, "")],
    ["insert a comment", (lines, at) => lines.splice(at, 0, "// note")],
    [
      "rename an identifier",
      (lines, at) => {
        lines[at] = (lines[at] ?? "").replace(/\b([a-z]\w*)\b/, "$1X");
      },
    ],
    ["delete a block", (lines, at) => lines.splice(at, 5)],
    ["duplicate a line", (lines, at) => lines.splice(at, 0, lines[at] ?? "")],
  ];
  for (const [fixture, language] of fixtures) {
    it(`on ${fixture}`, () => {
      const base = read(fixture);
      const count = base.split("\n").length;
      let compared = 0;
      for (const [, edit] of edits) {
        for (let at = 0; at < count; at += 3) {
          const lines = base.split("\n");
          edit(lines, at);
          const head = lines.join("\n");
          expect(windowed(base, head, language), `${fixture}: edit at line ${at + 1}`).toEqual(
            whole(base, head, language),
          );
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50);
    });
  }
});
