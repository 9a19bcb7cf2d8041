import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { languageFor } from "../../../src/code/language-for.ts";
import { parseSpans, spansAround } from "../../../src/code/parse-spans.ts";
import { toolsFor } from "../../../src/code/parser-pool.ts";
import { topLevelSplits } from "../../../src/code/top-level-splits.ts";
import type { Language } from "../../../src/code/types.ts";

const modules = join(import.meta.dirname, "../../../node_modules");

/** Real sources installed with the project: CommonJS, ESM, TypeScript and compiled output. */
function realSources(dir: string, limit: number): string[] {
  const found: string[] = [];
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      if (found.length >= limit) return;
      const path = join(at, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (languageFor(path) && !path.endsWith(".d.ts") && statSync(path).size < 300_000) {
        found.push(path);
      }
    }
  };
  walk(dir);
  return found;
}

const topLevelStarts = (source: string, language: Language) =>
  new Set(
    toolsFor(language)
      .parser.parse(source)
      .rootNode.namedChildren.map((node) => node.startIndex),
  );

describe("topLevelSplits", () => {
  const corpora = [
    "zod/src/v4/core",
    "handlebars/lib",
    "yaml/dist",
    "@octokit/webhooks/dist-src",
    "pino/lib",
    "commander/lib",
  ];
  for (const corpus of corpora) {
    it(`only cuts where a top-level statement starts, on real ${corpus} sources`, () => {
      let splits = 0;
      let statements = 0;
      for (const path of realSources(join(modules, corpus), 40)) {
        const source = readFileSync(path, "utf8");
        const language = languageFor(path)!;
        const starts = topLevelStarts(source, language);
        const found = topLevelSplits(source, language);
        // The file start is always a split; every other one starts a statement.
        for (const at of found.slice(1)) {
          expect(starts.has(at), `${path} at ${at}: ${source.slice(at, at + 40)}`).toBe(true);
        }
        splits += found.length;
        statements += starts.size;
      }
      // Most statements are found (the rest follow comments or continue without a `;`).
      expect(splits).toBeGreaterThan(statements * 0.4);
    });
  }

  it("never cuts inside templates, comments, regexes, JSX text or a decorated class", () => {
    const source = [
      "const sql = `",
      "select 1;",
      "export const fake = 1;",
      "`;",
      "/*",
      "function commented() {}",
      "*/",
      "const re = /[{(]/g;",
      "const view = <p>Don't {render}",
      "}",
      "</p>;",
      "@Injectable()",
      "export class Service {}",
      "promise",
      ".then(done);",
      "const ok = 1",
      "in window;",
      "export function real() {}",
      "",
    ].join("\n");
    const splits = topLevelSplits(source, "tsx").map((at) => source.slice(at).split("\n", 1)[0]);
    // Not "select 1;", "export const fake", "function commented", "}", "</p>;", the decorated
    // class, ".then" or "in window;".
    expect(splits).toEqual([
      "const sql = `",
      "const re = /[{(]/g;",
      "const view = <p>Don't {render}",
      "@Injectable()",
      "promise",
      "const ok = 1",
      "export function real() {}",
    ]);
  });

  it("cuts after a statement without a semicolon when a declaration follows", () => {
    const source = "const a = require('a')\nconst b = a()\nmodule.exports = b\n";
    expect(topLevelSplits(source, "javascript")).toEqual([
      0,
      source.indexOf("const b"),
      source.indexOf("module"),
    ]);
  });
});

describe("parseSpans", () => {
  const source = [
    "import { a } from './a';",
    "export function one() { return a(); }",
    "export class Two { run() { return one(); } }",
    "export const three = () => new Two().run();",
    "",
  ].join("\n");

  it("parses only the spans asked for, at their whole-file offsets and rows", () => {
    const splits = topLevelSplits(source, "typescript");
    expect(splits).toHaveLength(4);
    const at = source.indexOf("run()");
    const spans = spansAround(splits, source.length, [{ start: at, end: at + 3 }]);
    expect(spans).toEqual([{ start: splits[2], end: splits[3] }]);
    const tree = parseSpans(source, "typescript", spans)!;
    const [only, ...rest] = tree.rootNode.namedChildren;
    expect(rest).toEqual([]);
    expect(only!.type).toBe("export_statement");
    expect(only!.startIndex).toBe(splits[2]);
    expect(only!.startPosition.row).toBe(2);
  });

  it("refuses a span that does not parse on its own (a cut in the wrong place)", () => {
    const cut = source.indexOf("run()");
    expect(parseSpans(source, "typescript", [{ start: 0, end: cut }])).toBeNull();
    expect(parseSpans(source, "typescript", [{ start: cut, end: source.length }])).toBeNull();
  });
});
