import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyseFile } from "../../../src/code/analyse-file.ts";
import { languageFor } from "../../../src/code/language-for.ts";
import { parseAround, parseSpans, spansAround } from "../../../src/code/parse-spans.ts";
import { toolsFor } from "../../../src/code/parser-pool.ts";
import { nestedBlocks, topLevelLayout } from "../../../src/code/top-level-splits.ts";
import type { Language } from "../../../src/code/types.ts";
import { realSources } from "./real-sources.ts";

const topLevelStarts = (source: string, language: Language) =>
  new Set(
    toolsFor(language)
      .parser.parse(source)
      .rootNode.namedChildren.map((node) => node.startIndex),
  );

describe("topLevelLayout splits", () => {
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
      for (const path of realSources(corpus, 40)) {
        const source = readFileSync(path, "utf8");
        const language = languageFor(path)!;
        const starts = topLevelStarts(source, language);
        const found = topLevelLayout(source, language).splits;
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
    const splits = topLevelLayout(source, "tsx").splits.map(
      (at) => source.slice(at).split("\n", 1)[0],
    );
    // Not "select 1;", "export const fake", "function commented", "}", "</p>;", the decorated
    // class, ".then" or "in window;". A comment after a finished statement is one of its own.
    expect(splits).toEqual([
      "const sql = `",
      "/*",
      "const re = /[{(]/g;",
      "const view = <p>Don't {render}",
      "@Injectable()",
      "promise",
      "const ok = 1",
      "export function real() {}",
    ]);
  });

  it("cuts before a comment only where a statement ended (a built file's source map)", () => {
    const source = [
      "define(['exports'], function (exports) {",
      "  exports.a = 1;",
      "});",
      "//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozfQ==",
      "const x = a",
      "// not after a value: the next line may go on with it",
      "  .b();",
      "",
    ].join("\n");
    expect(topLevelLayout(source, "javascript").splits).toEqual([
      0,
      source.indexOf("//#"),
      source.indexOf("const x"),
    ]);
  });

  it("cuts after a statement without a semicolon when a declaration follows", () => {
    const source = "const a = require('a')\nconst b = a()\nmodule.exports = b\n";
    expect(topLevelLayout(source, "javascript").splits).toEqual([
      0,
      source.indexOf("const b"),
      source.indexOf("module"),
    ]);
  });
});

describe("topLevelLayout", () => {
  const classCorpora = ["yaml/dist", "commander/lib", "bullmq/dist/esm/classes"];
  for (const corpus of classCorpora) {
    it(`only cuts class bodies where a member starts, on real ${corpus} sources`, () => {
      let cuts = 0;
      let members = 0;
      for (const path of realSources(corpus, 60)) {
        const source = readFileSync(path, "utf8");
        const language = languageFor(path)!;
        const bodies = new Map<number, Set<number>>();
        for (const body of toolsFor(language)
          .parser.parse(source)
          .rootNode.descendantsOfType("class_body")) {
          bodies.set(
            body.startIndex,
            new Set(body.namedChildren.map((member) => member.startIndex)),
          );
        }
        for (const body of topLevelLayout(source, language).blocks) {
          const starts = bodies.get(body.open);
          expect(starts, `${path}: no class body at ${body.open}`).toBeDefined();
          expect(source[body.close]).toBe("}");
          for (const at of body.members) {
            // A cut is a line start; the member starts after its indentation.
            const first = at + (/^[ \t]*/.exec(source.slice(at))?.[0].length ?? 0);
            expect(starts!.has(first), `${path} at ${at}: ${source.slice(at, at + 40)}`).toBe(true);
          }
          cuts += body.members.length;
          members += starts!.size;
        }
      }
      // Most members are found (the rest follow comments on their own lines, or decorators).
      expect(members).toBeGreaterThan(0);
      expect(cuts).toBeGreaterThan(members * 0.4);
    });
  }

  it("never cuts between a member and its decorators, or inside a field's initializer", () => {
    // Not at "name: string;" (decorated), "1," or "]" (inside the array), "+ 1", "? 'a'".
    const source = [
      "@Component({ selector: 'x' })",
      "export class View extends Base {",
      "  @Input()",
      "  name: string;",
      "  private readonly items = [",
      "    1,",
      "  ]",
      "  total = this.items.length",
      "    + 1",
      "  label = cond",
      "    ? 'a' : 'b'",
      "  @HostListener('click')",
      "  onClick() {",
      "    return 1;",
      "  }",
      "  kind = 'x'",
      "    as const",
      "  static create() { return new View(); }",
      "  get size() { return 1 }",
      "}",
      "",
    ].join("\n");
    const [body, ...others] = topLevelLayout(source, "typescript").blocks;
    expect(others).toEqual([]);
    expect(body!.open).toBe(source.indexOf("{", source.indexOf("class View")));
    expect(body!.close).toBe(source.lastIndexOf("}"));
    expect(body!.members.map((at) => source.slice(at).split("\n", 1)[0]!.trim())).toEqual([
      "private readonly items = [",
      "total = this.items.length",
      "label = cond",
      "@HostListener('click')",
      "kind = 'x'",
      // No cut after `as const`: a keyword at a line end leaves the member open (a cut
      // missed costs only speed).
      "get size() { return 1 }",
    ]);
  });
});

describe("nestedBlocks", () => {
  for (const corpus of ["handlebars/dist/amd", "pino/lib", "zod/src/v4/core"]) {
    it(`marks function bodies, not statements' blocks, on real ${corpus} sources`, () => {
      const functionTypes = new Set([
        "function_declaration",
        "function_expression",
        "function",
        "generator_function_declaration",
        "generator_function",
        "arrow_function",
        "method_definition",
      ]);
      let marked = 0;
      let wrong = 0;
      let bodies = 0;
      for (const path of realSources(corpus, 40)) {
        const source = readFileSync(path, "utf8");
        const language = languageFor(path)!;
        const root = toolsFor(language).parser.parse(source).rootNode;
        const functionBodies = new Set(
          root
            .descendantsOfType("statement_block")
            .filter((block) => functionTypes.has(block.parent?.type ?? ""))
            .map((block) => block.startIndex),
        );
        const blocks = topLevelLayout(source, language, Number.POSITIVE_INFINITY, true).blocks;
        for (const block of blocks) {
          if (block.kind !== "function") continue;
          marked++;
          if (!functionBodies.has(block.open)) wrong++;
        }
        bodies += functionBodies.size;
      }
      // Bodies after a return type (`f(): T {`) are not marked; the rest are. A guess can be
      // wrong (`() => { a: T }` is a function type returning an object type), rarely.
      expect(bodies).toBeGreaterThan(100);
      expect(marked - wrong).toBeGreaterThan(bodies * 0.7);
      expect(wrong).toBeLessThan(marked * 0.01);
    });
  }

  it("tells a function body from the blocks of statements", () => {
    const source = [
      "async function run(items) {",
      "  if (items) {",
      "    for await (const item of items) {",
      "      items.map((x) => {",
      "        return x",
      "      })",
      "    }",
      "  } else {",
      "    try {",
      "      new Foo({ a: 1 })",
      "    } catch (error) {",
      "      while (error) {}",
      "    }",
      "  }",
      "  const o = { m(a) {}, n: function () {} }",
      "}",
      "",
    ].join("\n");
    const blocks = nestedBlocks(source, "javascript", 0, source.length);
    const line = (at: number) => source.slice(source.lastIndexOf("\n", at) + 1, at + 1).trim();
    expect(blocks.filter((b) => b.kind === "function").map((b) => line(b.open))).toEqual([
      "async function run(items) {",
      "items.map((x) => {",
      "const o = { m(a) {",
      "const o = { m(a) {}, n: function () {",
    ]);
    expect(blocks.filter((b) => b.kind !== "function").map((b) => [line(b.open), b.kind])).toEqual([
      ["if (items) {", "statements"],
      ["for await (const item of items) {", "statements"],
      ["} else {", "statements"],
      ["try {", "statements"],
      ["new Foo({", "object"],
      ["} catch (error) {", "statements"],
      ["while (error) {", "statements"],
      ["const o = {", "object"],
    ]);
  });

  it("tells an object literal from a block, and cuts it where a property follows a comma", () => {
    const source = [
      "export function route(kind: string): Map<string, Handler> {",
      "  switch (kind) {",
      "    case 'list': {",
      "      return new Map([['get', { path: '/', handle: list }]])",
      "    }",
      "  }",
      "  do {",
      "    kind = next(kind)",
      "  } while (kind)",
      "  return {",
      "    path: '/items',",
      "    'x-total': 3,",
      "    ...defaults,",
      "    handle(req) {",
      "      return list(req)",
      "    },",
      "  } as unknown as Map<string, Handler>",
      "}",
      "",
    ].join("\n");
    const blocks = nestedBlocks(source, "typescript", 0, source.length);
    const line = (at: number) => source.slice(source.lastIndexOf("\n", at) + 1, at + 1).trim();
    expect(blocks.map((b) => [line(b.open), b.kind])).toEqual([
      ["export function route(kind: string): Map<string, Handler> {", "statements"],
      ["switch (kind) {", "switch"],
      ["case 'list': {", "statements"],
      ["return new Map([['get', {", "object"],
      ["do {", "statements"],
      ["return {", "object"],
      ["handle(req) {", "function"],
    ]);
    const returned = blocks.find((b) => line(b.open) === "return {")!;
    expect(returned.members.map((at) => source.slice(at).split("\n", 1)[0]!.trim())).toEqual([
      "'x-total': 3,",
      "...defaults,",
      "handle(req) {",
    ]);
  });

  it("cuts statement blocks where a statement starts, never before a clause, and a switch by its cases", () => {
    const source = [
      "export function handle(req, res) {",
      "  const id = req.id",
      "  if (id) {",
      "    log(id)",
      "  }",
      "  else {",
      "    fail()",
      "  }",
      "  try {",
      "    run()",
      "  }",
      "  catch (error) {",
      "    report(error)",
      "  }",
      "  switch (id) {",
      "    case 1:",
      "      one()",
      "      two()",
      "    case 2:",
      "    case 3: {",
      "      three()",
      "    }",
      "    default:",
      "      other()",
      "  }",
      "  return res",
      "}",
      "",
    ].join("\n");
    const blocks = nestedBlocks(source, "typescript", 0, source.length);
    const lines = (at: number[]) => at.map((cut) => source.slice(cut).split("\n", 1)[0]!.trim());
    const body = blocks.find((block) => block.open === source.indexOf("{"))!;
    // Not before "else" or "catch"; a switch body only before its clauses.
    expect(lines(body.members)).toEqual(["if (id) {", "try {", "switch (id) {", "return res"]);
    const switchBody = blocks.find(
      (block) => block.open === source.indexOf("{", source.indexOf("switch")),
    )!;
    expect(switchBody.kind).toBe("switch");
    expect(lines(switchBody.members)).toEqual(["case 1:", "case 2:", "case 3: {", "default:"]);
    expect(blocks.every((block) => source[block.open] === "{" && source[block.close] === "}")).toBe(
      true,
    );
  });

  it("cuts a class nested in a function by its members, not between a decorator and its member", () => {
    const source = [
      "function make() {",
      "  class Local {",
      "    @Watch()",
      "    value = 1",
      "    get() { return this.value }",
      "  }",
      "  return Local",
      "}",
      "",
    ].join("\n");
    const blocks = nestedBlocks(source, "typescript", 0, source.length);
    const local = blocks.find((block) => block.kind === "class")!;
    expect(local.members.map((cut) => source.slice(cut).split("\n", 1)[0]!.trim())).toEqual([
      "get() { return this.value }",
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
    const { splits } = topLevelLayout(source, "typescript");
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

  it("parses only the member of a class that holds a range, with the class around it", () => {
    const file = [
      "// Copyright",
      "import { db } from './db';",
      "export default class Orders extends Repo {",
      "  list() { return db.all(); }",
      "  get(id) {",
      "    return db.find(id);",
      "  }",
      "  remove = (id) => db.delete(id)",
      "}",
      "export const helper = () => new Orders().get(1);",
      "",
    ].join("\n");
    const at = file.indexOf("db.find");
    const tree = parseAround(file, "typescript", [{ start: at, end: at + 2 }]);
    const [statement, ...rest] = tree.rootNode.namedChildren;
    expect(rest).toEqual([]);
    const members = statement!.descendantsOfType("class_body")[0]!.namedChildren;
    expect(members.map((member) => member.text.split("\n", 1)[0])).toEqual(["get(id) {"]);
    const analysed = analyseFile(file, "typescript", {
      tree,
      regions: [{ start: at, end: at + 2 }],
    });
    expect(analysed.functions.map((fn) => [fn.name, fn.startLine, fn.endLine])).toEqual([
      ["Orders.get", 5, 7],
    ]);
    expect(analysed.functions[0]!.exported).toBe(true);
  });

  it("refuses pieces of a block that do not parse apart (a cut in the wrong place)", () => {
    const file = "class Box {\n  a() {\n    return 1\n  }\n  b() { return 2 }\n}\n";
    const [body] = topLevelLayout(file, "typescript").blocks;
    expect(body!.members).toEqual([file.indexOf("  b()")]);
    const block = { open: body!.open, close: body!.close, holder: { start: 0, end: file.length } };
    const pieces = (cut: number) => [
      { start: 0, end: cut },
      { start: body!.close, end: file.length },
    ];
    // Up to the real cut: class Box { a() {...} }.
    const tree = parseSpans(file, "typescript", pieces(body!.members[0]!), [block])!;
    expect(analyseFile(file, "typescript", { tree }).functions.map((fn) => fn.name)).toEqual([
      "Box.a",
    ]);
    // A cut inside `a` (as a lexer that lost its way might make) does not check out.
    expect(
      parseSpans(file, "typescript", pieces(file.indexOf("    return 1")), [block]),
    ).toBeNull();
  });

  it("parses a braceless `if` body with its `if`, and cuts a TypeScript interface's members", () => {
    const file = [
      "export interface Store {",
      "  get(id: string): Item",
      "  put(item: Item): void",
      "}",
      "export function load(store: Store, ids: string[]) {",
      "  for (const id of ids)",
      "    if (seen(id))",
      "      continue",
      "    else store.get(id)",
      "  return /^[a-z]+$/.test(ids[0])",
      "}",
      "",
    ].join("\n");
    const ranges = ["put(", "continue"].map((word) => {
      const at = file.indexOf(word);
      return { start: at, end: at + 3 };
    });
    const tree = parseAround(file, "typescript", ranges);
    const parsed = tree.getIncludedRanges().map((r) => file.slice(r.startIndex, r.endIndex));
    // Not `get(...)`, nor `return ...`. The `for` statement is one: its body, on the lines
    // below, is no statement of its own. (Touching pieces are parsed as one range.)
    expect(parsed).toEqual([
      "export interface Store {",
      [
        "  put(item: Item): void",
        "}",
        "export function load(store: Store, ids: string[]) {",
        "  for (const id of ids)",
        "    if (seen(id))",
        "      continue",
        "    else store.get(id)",
        "",
      ].join("\n"),
      "}\n",
    ]);
  });

  it("parses only the statement of a function body that holds a range, inside its blocks", () => {
    const file = [
      "function route(app) {",
      "  const db = open()",
      "  app.get('/', function list(req, res) {",
      "    log(req)",
      "    res.send(db.all())",
      "  })",
      "  return app",
      "}",
      "",
    ].join("\n");
    const at = file.indexOf("db.all");
    const tree = parseAround(file, "javascript", [{ start: at, end: at + 2 }]);
    const parsed = tree.getIncludedRanges().map((r) => file.slice(r.startIndex, r.endIndex));
    // Each block's head and end, and the one statement holding the range.
    expect(parsed).toEqual([
      "function route(app) {",
      "  app.get('/', function list(req, res) {",
      "    res.send(db.all())\n  })\n",
      "}\n",
    ]);
    const analysed = analyseFile(file, "javascript", {
      tree,
      regions: [{ start: at, end: at + 2 }],
    });
    expect(analysed.functions.map((fn) => [fn.name, fn.startLine, fn.endLine])).toEqual([
      ["route", 1, 8],
      ["route.list", 3, 6],
    ]);
  });

  it("parses the branches of an if chain around calls in two of them apart, not the branches between", () => {
    // zod's `_parse` methods: one `if (check.kind === ...)` chain with dozens of branches.
    const file = [
      "function check(input, checks, ctx) {",
      "  for (const check of checks) {",
      '    if (check.kind === "min") {',
      "      if (input.length < check.value) {",
      "        ctx = contextOf(input, ctx)",
      '        addIssue(ctx, { code: "too_small" })',
      "        ctx.underflow = input.length - check.value",
      "      }",
      '    } else if (check.kind === "max") {',
      "      if (input.length > check.value) {",
      "        ctx = contextOf(input, ctx)",
      "        ctx.overflow = true",
      "      }",
      '    } else if (check.kind === "length") {',
      "      if (input.length !== check.value) {",
      "        ctx = contextOf(input, ctx)",
      '        addIssue(ctx, { code: "invalid_length" })',
      "        ctx.mismatch = input.length - check.value",
      "      }",
      "    }",
      "  }",
      "}",
      "",
    ].join("\n");
    const calls = [...file.matchAll(/addIssue\(/g)].map((m) => ({
      start: m.index,
      end: m.index + 8,
    }));
    const tree = parseAround(file, "javascript", calls);
    const parsed = tree.getIncludedRanges().map((r) => file.slice(r.startIndex, r.endIndex));
    // Each needed branch keeps only the statement holding its call; the branch between stays.
    expect(parsed.join("")).not.toMatch(/underflow|mismatch/);
    expect(parsed).toContain('        addIssue(ctx, { code: "invalid_length" })\n');
    const analysed = analyseFile(file, "javascript", { tree, regions: calls });
    expect(analysed.functions.map((fn) => [fn.name, fn.startLine, fn.endLine])).toEqual([
      ["check", 1, 22],
    ]);
  });

  it("parses only the clause of a switch that holds a call", () => {
    const file = [
      "export function decode(tag, bytes) {",
      "  switch (tag) {",
      "    // Nothing: a stored NULL.",
      "    case 0x00:",
      "      return () => null;",
      "    case 0x01: {",
      "      const size = bytes.readUInt8(0);",
      "      return () => readString(bytes, size);",
      "    }",
      "    default:",
      "      throw new Error('unknown tag ' + tag);",
      "  }",
      "}",
      "",
    ].join("\n");
    const at = file.indexOf("readString");
    const tree = parseAround(file, "javascript", [{ start: at, end: at + 10 }]);
    const parsed = tree.getIncludedRanges().map((r) => file.slice(r.startIndex, r.endIndex));
    expect(parsed.join("")).not.toMatch(/NULL|unknown tag|readUInt8/);
    const analysed = analyseFile(file, "javascript", {
      tree,
      regions: [{ start: at, end: at + 10 }],
    });
    expect(analysed.functions.map((fn) => [fn.name, fn.startLine, fn.endLine])).toEqual([
      ["decode", 1, 13],
      ["decode.<anonymous>", 8, 8],
    ]);
  });

  it("parses only the property of an object literal that holds a call", () => {
    // handlebars' compiler: methods as properties of `JavaScriptCompiler.prototype = {...}`.
    const file = [
      "JavaScriptCompiler.prototype = {",
      "  nameLookup: function nameLookup(parent, name) {",
      "    return this.internalNameLookup(parent, name);",
      "  },",
      "  preamble: function preamble() {",
      "    this.lastContext = 0;",
      "    this.source = new CodeGen(this.options.srcName);",
      "  },",
      "  'quoted key': [1, 2],",
      "  compile(environment, options) {",
      "    return this.preamble(), finish(environment, options);",
      "  },",
      "};",
      "",
    ].join("\n");
    const at = file.indexOf("finish(");
    const tree = parseAround(file, "javascript", [{ start: at, end: at + 6 }]);
    const parsed = tree.getIncludedRanges().map((r) => file.slice(r.startIndex, r.endIndex));
    expect(parsed.join("")).not.toMatch(/internalNameLookup|CodeGen|quoted key/);
    const analysed = analyseFile(file, "javascript", {
      tree,
      regions: [{ start: at, end: at + 6 }],
    });
    expect(analysed.functions.map((fn) => [fn.name, fn.startLine, fn.endLine])).toEqual([
      ["JavaScriptCompiler.prototype.compile", 10, 12],
    ]);
  });

  it("refuses a span that does not parse on its own (a cut in the wrong place)", () => {
    const cut = source.indexOf("run()");
    expect(parseSpans(source, "typescript", [{ start: 0, end: cut }])).toBeNull();
    expect(parseSpans(source, "typescript", [{ start: cut, end: source.length }])).toBeNull();
  });
});
