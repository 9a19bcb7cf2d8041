import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { changedRegions } from "../../../src/code/changed-regions.ts";
import { jointSpans } from "../../../src/code/joint-spans.ts";
import { parseSpans } from "../../../src/code/parse-spans.ts";

// handlebars' AMD build: the whole module is one `define(...)` statement.
const base = readFileSync(
  new URL("../../fixtures/code/amd-module.js.txt", import.meta.url),
  "utf8",
);
const lines = base.split("\n");
const lineOf = (source: string, at: number) => source.slice(0, at).split("\n").length;
const edited = (line: number, edit: (text: string) => string) =>
  lines.map((text, i) => (i + 1 === line ? edit(text) : text)).join("\n");
/** The line ranges a side's spans hold. */
const spanLines = (source: string, spans: { start: number; end: number }[]) =>
  spans.map((span) => [lineOf(source, span.start), lineOf(source, span.end - 1)]);

describe("jointSpans", () => {
  it("cuts a wrapping function's body down to the statement holding the change", () => {
    // Line 36, `this.helpers = helpers || {};`, in `function HandlebarsEnvironment` (35-42),
    // the first statement: its changed region takes in the function's `{`.
    const head = edited(36, (text) => text.replace("|| {}", "|| Object.create(null)"));
    const spans = jointSpans(base, head, changedRegions(base, head), "javascript")!;
    // The `define(..., function (...) {` line, the function holding the change (to the next
    // statement), and `});`: not the other 60 lines of the module, nor the source map after it.
    expect(spanLines(base, spans.base)).toEqual([
      [1, 1],
      [35, 43],
      [105, 105],
    ]);
    expect(spans.baseBlocks.map((block) => lineOf(base, block.open))).toEqual([1]);
    expect(spans.cheap).toBe(true);
    // The pieces parse, and check out as what a whole-file parse has there.
    expect(parseSpans(base, "javascript", spans.base, spans.baseBlocks)).not.toBeNull();
    expect(parseSpans(head, "javascript", spans.head, spans.headBlocks)).not.toBeNull();
  });

  it("does not cut the body of a function whose own statements changed", () => {
    // Line 33, `var objectType = ...`, is the wrapping function's own statement.
    const head = edited(33, (text) => text.replace("[object Object]", "[object Record]"));
    const spans = jointSpans(base, head, changedRegions(base, head), "javascript")!;
    expect(spans.baseBlocks).toEqual([]);
    expect(spanLines(base, spans.base)).toEqual([[1, 105]]);
  });

  it("keeps an object literal whole: its braces are no block of statements", () => {
    // Line 61, in `registerHelper: function ...` inside `HandlebarsEnvironment.prototype = {`.
    const head = edited(61, (text) => text.replace("delete", "void delete"));
    const spans = jointSpans(base, head, changedRegions(base, head), "javascript")!;
    expect(spanLines(base, spans.base)).toEqual([
      [1, 1],
      [44, 99],
      [105, 105],
    ]);
  });
});
