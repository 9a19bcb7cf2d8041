import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { changedRegions } from "../../../src/code/changed-regions.ts";
import { headLayoutFromBase } from "../../../src/code/head-layout.ts";
import { languageFor } from "../../../src/code/language-for.ts";
import { resumableLayout, topLevelLayout } from "../../../src/code/top-level-splits.ts";
import type { Language } from "../../../src/code/types.ts";
import { realSources } from "./real-sources.ts";

/** Edits at a line: what a pull request does, and what throws a lexer off (an open comment). */
const edits: [string, (lines: string[], at: number) => string[]][] = [
  ["delete a line", (lines, at) => lines.toSpliced(at, 1)],
  ["repeat a line", (lines, at) => lines.toSpliced(at, 0, lines[at]!)],
  [
    "add a function",
    (lines, at) => lines.toSpliced(at, 0, "function added(x) {", "  return x;", "}"),
  ],
  ["open a comment", (lines, at) => lines.toSpliced(at, 0, "/* left open")],
  ["open a block", (lines, at) => lines.toSpliced(at, 0, "if (ready) {")],
];

const derived = (base: string, head: string, language: Language) =>
  headLayoutFromBase(
    resumableLayout(base, language),
    base.length,
    head,
    changedRegions(base, head).hunks,
    language,
  );

describe("headLayoutFromBase", () => {
  const corpora = ["zod/src/v4/core", "handlebars/lib", "yaml/dist", "pino/lib", "commander/lib"];
  for (const corpus of corpora) {
    it(`is the layout a whole pass over the head gives, on edited real ${corpus} sources`, () => {
      let compared = 0;
      for (const path of realSources(corpus, 12)) {
        const base = readFileSync(path, "utf8");
        const language = languageFor(path)!;
        const lines = base.split("\n");
        for (const [, edit] of edits) {
          // One edit near the start, two apart (the pass must fall in step between them).
          const head = edit(edit(lines, Math.floor(lines.length * 0.7)), 3).join("\n");
          const whole = topLevelLayout(head, language, Number.POSITIVE_INFINITY, true);
          expect(derived(base, head, language), path).toEqual(whole);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(20);
    });
  }

  it("takes the base's blocks after an edit, moved by what the edit added", () => {
    const base = [
      "const a = 1;",
      "",
      "export class Store {",
      "  get(id) {",
      "    return this.items[id];",
      "  }",
      "}",
      "",
      "export function load(store, ids) {",
      "  for (const id of ids) store.get(id);",
      "}",
      "",
    ].join("\n");
    const head = base.replace("const a = 1;", "const a = 1;\nconst b = 2;");
    const layout = derived(base, head, "javascript");
    expect(layout.splits.map((at) => head.slice(at, at + 12))).toEqual([
      "const a = 1;",
      "const b = 2;",
      "export class",
      "export funct",
    ]);
    expect(
      layout.blocks.map((block) => head.slice(block.open, block.close + 1).split("\n")[1]),
    ).toEqual([
      "  get(id) {",
      "    return this.items[id];",
      "  for (const id of ids) store.get(id);",
    ]);
  });

  it("lexes on past a split where the head's pass is in another state than the base's", () => {
    const rule = `// ${"-".repeat(70)}`;
    const base = ["const a = 1;", rule, rule, "(function () {", "  run();", "})();", ""].join("\n");
    // `class` inside parentheses leaves the lexer expecting a class body at that depth: the
    // IIFE's body reads as one in the head (a heuristic, but the same as a whole pass gives).
    const head = base.replace("const a = 1;", "const a = 1;\nuse(options.class);");
    const whole = topLevelLayout(head, "javascript", Number.POSITIVE_INFINITY, true);
    expect(whole.blocks.map((block) => block.kind)).toEqual(["class"]);
    expect(derived(base, head, "javascript")).toEqual(whole);
  });

  it("is the base's layout for equal text", () => {
    const base = readFileSync(realSources("commander/lib", 1)[0]!, "utf8");
    expect(derived(base, base, "javascript")).toEqual(
      topLevelLayout(base, "javascript", Number.POSITIVE_INFINITY, true),
    );
  });
});
