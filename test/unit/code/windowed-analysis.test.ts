import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { changedRegions } from "../../../src/code/changed-regions.ts";
import { collectChanges } from "../../../src/code/collect-changes.ts";
import { jointSpans } from "../../../src/code/joint-spans.ts";
import type { Language, SourceProvider } from "../../../src/code/types.ts";

const fixtures: [string, Language][] = [
  ["express-router.js.txt", "javascript"],
  ["decorated-service.ts.txt", "typescript"],
  ["components.tsx.txt", "tsx"],
  ["object-router.cjs.txt", "javascript"],
  ["orders.test.js.txt", "javascript"],
  // handlebars' AMD build: one statement holding the module, a source map comment after it.
  ["amd-module.js.txt", "javascript"],
];

const read = (name: string) =>
  readFileSync(new URL(`../../fixtures/code/${name}`, import.meta.url), "utf8");

/** A provider over two in-memory versions of one file (plus unchanged files for callers). */
function memorySource(path: string, base: string, head: string): SourceProvider {
  return {
    base: "base",
    head: "head",
    changedFiles: async () => ({ files: [{ path, status: "modified" }], notices: [] }),
    readFile: async (rev) => (rev === "base" ? base : head),
    listFiles: async () => [path],
  };
}

/** The engine's windowed analysis (spans, windows, fallbacks) and whole-file analysis. */
async function compare(path: string, base: string, head: string) {
  const windowed = await collectChanges(memorySource(path, base, head));
  const whole = await collectChanges(memorySource(path, base, head), { wholeFiles: true });
  return { windowed: windowed.functions, whole: whole.functions };
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
  for (const [fixture] of fixtures) {
    it(`on ${fixture}`, async () => {
      const base = read(fixture);
      const path = `src/${fixture.replace(/\.txt$/, "")}`;
      const count = base.split("\n").length;
      let compared = 0;
      for (const [, edit] of edits) {
        for (let at = 0; at < count; at += 3) {
          const lines = base.split("\n");
          edit(lines, at);
          const { windowed, whole } = await compare(path, base, lines.join("\n"));
          expect(windowed, `${fixture}: edit at line ${at + 1}`).toEqual(whole);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(50);
    });
  }

  it("when the lexer takes a bare block for a function body (the function around it changed)", async () => {
    const base = [
      "define(['log'], function (log) {",
      "  function outer(x) {",
      "    log.start(x)",
      "    {",
      "      log.first(x)",
      "      log.second(x)",
      "    }",
      "    // How many",
      "    return [x].map((y) => log.third(y))",
      "  }",
      // Enough else in the module that parsing the pieces is worth it.
      ...["a", "b", "c", "d", "e", "f"].flatMap((name) => [
        `  function ${name}(values) {`,
        `    return values.map((value) => log.${name}(value, values.length))`,
        "  }",
      ]),
      "  return outer",
      "})",
      "",
    ].join("\n");
    const head = base.replace("log.first(x)", "log.first(x, 1)");
    // The block after `log.start(x)` reads as a function body, so `outer`'s body is cut too:
    // `outer` changed but is parsed in part (its comment and callback read as its own tokens
    // there), and whole files decide.
    const spans = jointSpans(base, head, changedRegions(base, head), "javascript")!;
    expect(spans.baseBlocks).toHaveLength(2);
    expect(spans.cheap).toBe(true);
    const { windowed, whole } = await compare("src/outer.js", base, head);
    expect(windowed).toEqual(whole);
    expect(windowed.map((fn) => [fn.name, fn.change, fn.startLine, fn.changeRatio])).toEqual([
      ["<anonymous>.outer", "modified", 2, whole[0]!.changeRatio],
    ]);
  });

  it("when a test is copied over another (same-named callbacks, equal bodies elsewhere)", async () => {
    const base = read("orders.test.js.txt");
    const lines = base.split("\n");
    const blocks: [number, number][] = [];
    lines.forEach((line, start) => {
      if (!line.startsWith("  it(")) return;
      let end = start;
      while (!lines[end]?.startsWith("  });")) end++;
      blocks.push([start, end]);
    });
    let compared = 0;
    for (const [from, fromEnd] of blocks) {
      for (const [to, toEnd] of blocks) {
        if (from === to) continue;
        const head = [
          ...lines.slice(0, to),
          ...lines.slice(from, fromEnd + 1),
          ...lines.slice(toEnd + 1),
        ].join("\n");
        const { windowed, whole } = await compare("test/orders.test.js", base, head);
        expect(windowed, `line ${from + 1} copied over line ${to + 1}`).toEqual(whole);
        compared++;
      }
    }
    expect(compared).toBe(56);
  });
});
