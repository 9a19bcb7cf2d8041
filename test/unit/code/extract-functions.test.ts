import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseSource } from "../../../src/code/analyse-file.ts";
import { extractFunctions, languageFor } from "../../../src/code/extract-functions.ts";
import { rewriteForTreeSitter } from "../../../src/code/parse-text.ts";
import { toolsFor } from "../../../src/code/parser-pool.ts";

const fixture = (name: string) =>
  readFileSync(new URL(`../../fixtures/code/${name}`, import.meta.url), "utf8");

/** [name, kind, startLine, endLine, exported] per function, in source order. */
const shape = (source: string, path: string) =>
  extractFunctions(source, path).map((fn) => [
    fn.name,
    fn.kind,
    fn.startLine,
    fn.endLine,
    fn.exported,
  ]);

describe("extractFunctions on real-shaped source", () => {
  it("names express-style prototype assignments, inner functions and callbacks", () => {
    expect(shape(fixture("express-router.js.txt"), "lib/router/index.js")).toEqual([
      ["module.exports", "function", 11, 22, true],
      ["module.exports.router", "function", 14, 16, false],
      // `var proto = module.exports = ...`: what is added to proto is exported.
      ["proto.param", "function", 24, 31, true],
      ["proto.handle", "function", 33, 52, true],
      ["proto.handle.next", "function", 39, 51, false],
      ["proto.handle.next.<anonymous>", "function", 44, 50, false],
      // The assignment target wins over the function expression's own name.
      ["Router.prototype.use", "function", 54, 56, false],
      ["<anonymous>", "function", 58, 64, false],
      ["<anonymous>.proto[method]", "function", 59, 63, false],
      ["getProtohost", "function", 66, 68, false],
    ]);
  });

  it("handles decorated classes, generics and overloads (bodiless declarations are not functions)", () => {
    const source = fixture("decorated-service.ts.txt");
    expect(shape(source, "src/users/user.service.ts")).toEqual([
      ["parse", "function", 14, 16, true],
      ["BaseService.get", "method", 21, 23, true],
      ["UserService.constructor", "constructor", 30, 32, true],
      ["UserService.findOne", "method", 35, 37, true],
      ["UserService.load", "method", 39, 43, true],
      ["UserService.create", "method", 45, 47, true],
      ["UserService.size", "getter", 49, 51, true],
      ["UserService.size", "setter", 53, 55, true],
      // A private member is not reachable from the export.
      ["UserService.onEvict", "arrow", 57, 59, false],
      ["Validation.isEmail", "function", 63, 65, true],
      ["default", "arrow", 68, 68, true],
    ]);
    const byName = new Map(extractFunctions(source, "x.ts").map((fn) => [fn.name, fn]));
    expect(byName.get("parse")?.signature).toBe("(input: string|number): number");
    expect(byName.get("UserService.findOne")?.signature).toBe(
      '(@Param("id") id: string): Promise<User>',
    );
    expect(byName.get("UserService.create")?.signature).toBe("(repo: Repository<U>): UserService");
  });

  it("handles JSX components and hooks callbacks", () => {
    expect(shape(fixture("components.tsx.txt"), "src/App.tsx")).toEqual([
      ["List", "function", 5, 15, true],
      ["List.<anonymous>", "arrow", 8, 12, false],
      ["List.<anonymous>.<anonymous>", "arrow", 9, 9, false],
      ["Counter", "arrow", 17, 24, true],
      ["Counter.<anonymous>", "arrow", 19, 19, false],
      ["Counter.<anonymous>.<anonymous>", "arrow", 19, 19, false],
      ["Counter.<anonymous>", "arrow", 20, 22, false],
      // A callback argument keeps its own name when it has one.
      ["MemoRow", "function", 26, 28, false],
      ["App", "function", 30, 32, true],
      ["App.<anonymous>", "arrow", 31, 31, false],
    ]);
  });

  it("handles object-literal routers, callbacks in callbacks, IIFEs and CommonJS exports", () => {
    expect(shape(fixture("object-router.cjs.txt"), "src/routes.cjs")).toEqual([
      ["handlers.list", "method", 4, 6, true],
      ["handlers.show", "function", 7, 9, true],
      ["handlers.remove", "arrow", 10, 13, true],
      ["handlers.admin.purge", "method", 15, 17, true],
      ["setup", "function", 21, 29, true],
      ["setup.<anonymous>", "arrow", 23, 28, false],
      ["setup.<anonymous>.<anonymous>", "function", 24, 27, false],
      ["setup.<anonymous>.<anonymous>.<anonymous>", "arrow", 26, 26, false],
      ["<anonymous>", "function", 31, 37, false],
      ["<anonymous>.push", "function", 33, 35, false],
      ["<anonymous>.run", "generator", 36, 36, false],
      ["module.exports.health", "method", 42, 44, true],
      ["module.exports.version", "arrow", 46, 46, true],
      ["exports.legacy", "function", 47, 47, true],
    ]);
  });
});

describe("extractFunctions naming rules", () => {
  const names = (source: string, path = "x.ts") =>
    extractFunctions(source, path).map((fn) => fn.name);

  it("names from syntax, variables, members, class fields and export default", () => {
    expect(
      names(`export default function () {}
const f = async () => {};
let g = function* () {};
obj.prop = () => {};
class A {
  handle = () => {};
  static build() {}
  #secret() {}
  [Symbol.iterator]() {}
  "quoted-key"() {}
  *items() {}
}
const B = class { m() {} };
const casted = (() => 1) as unknown as F;
`),
    ).toEqual([
      "default",
      "f",
      "g",
      "obj.prop",
      "A.handle",
      "A.build",
      "A.#secret",
      "A.[Symbol.iterator]",
      "A.quoted-key",
      "A.items",
      "B.m",
      "casted",
    ]);
    expect(
      names(
        "(api as Store<S> & Persist).persist = { clear: () => {} };\nthis.handlers[ kind ] = function () {};\nwindow!.onload = () => {};\n",
      ),
    ).toEqual(["api.persist.clear", "this.handlers[kind]", "window.onload"]);
    // Logical assignments name the function as `=` does; other compound assignments do not.
    expect(
      names(
        "class C {\n  render() {\n    this.#renderer ??= (c) => c;\n    cache ||= { get: () => 1 };\n    total += (() => 2)();\n  }\n}\n",
      ),
    ).toEqual([
      "C.render",
      "C.render.this.#renderer",
      "C.render.cache.get",
      "C.render.<anonymous>",
    ]);
    // tree-sitter-typescript reads `{…} as A.B.C` as `({…} as A.B).C`: still a cast.
    expect(
      names(
        "it('x', () => {\n  const ref = {\n    isRead: () => true,\n  } as TSESLint.Scope.Reference;\n  (c as T).run = () => 1;\n});\n",
      ),
    ).toEqual(["<anonymous>", "<anonymous>.ref.isRead", "<anonymous>.c.run"]);
    // Computed keys keep the spaces inside their strings.
    expect(
      names(
        "const o = { [ 'a b' ]: () => 1, [key + 1]: () => 2 };\nhandlers[ \"x y\" ] = () => 3;\n",
      ),
    ).toEqual(["o.['a b']", "o.[key+1]", 'handlers["x y"]']);
    expect(names("export default () => 1;\nexport default class { run() {} }\n")).toEqual([
      "default",
      "default.run",
    ]);
  });

  it("qualifies with enclosing functions, classes, objects and namespaces", () => {
    expect(
      names(`function outer() {
  class Local { run() { return () => 1; } }
  const api = { nested: { deep() {} } };
  return [1].map(function (x) { return x; });
}
namespace A.B { export function q() {} }
`),
    ).toEqual([
      "outer",
      "outer.Local.run",
      "outer.Local.run.<anonymous>",
      "outer.api.nested.deep",
      "outer.<anonymous>",
      "A.B.q",
    ]);
  });

  it("skips overloads, abstract members, declare, interface and type members", () => {
    expect(
      names(`declare function d(): void;
declare class C { m(): void; }
interface I { m(): void; n: () => void; }
type T = { m(): void };
abstract class K { abstract run(): void; go(): void; go(x?: number) {} }
function f(a: string): void;
function f(a?: string) {}
`),
    ).toEqual(["K.go", "f"]);
  });

  it("marks exports by clause, default identifier and CommonJS assignment", () => {
    const exported = (source: string, path: string) =>
      extractFunctions(source, path).map((fn) => `${fn.name}:${fn.exported}`);
    expect(
      exported(
        "function a() {}\nfunction b() {}\nconst c = () => {};\nclass D { m() {} }\nexport { a, D as Dee };\nexport default c;\n",
        "x.js",
      ),
    ).toEqual(["a:true", "b:false", "c:true", "D.m:true"]);
    expect(
      exported(
        "function Store() {}\nStore.prototype.get = function () {};\nStore.create = () => new Store();\nfunction util() {}\nmodule.exports = Store;\n",
        "x.js",
      ),
    ).toEqual(["Store:true", "Store.prototype.get:true", "Store.create:true", "util:false"]);
    expect(
      exported(
        "function a() { function inner() {} }\nconst b = () => {};\nmodule.exports = { a, renamed: b };\n",
        "x.js",
      ),
    ).toEqual(["a:true", "a.inner:false", "b:true"]);
  });
});

describe("extractFunctions hashes and signatures", () => {
  const one = (source: string, name: string, path = "x.ts") => {
    const fn = extractFunctions(source, path).find((f) => f.name === name);
    if (!fn) throw new Error(`${name} not found`);
    return fn;
  };

  it("ignores comments, whitespace and formatting", () => {
    const a = one("function f(a, b) { return a + b; }", "f");
    const b = one("// moved\n\nfunction f(a,\n  b) {\n  /* why */ return a+b; // sum\n}", "f");
    expect(b.bodyHash).toBe(a.bodyHash);
    expect(b.signature).toBe(a.signature);
    expect(b.startLine).toBe(3);
    // A trailing comma is a token (the body changed) but not a different signature.
    const c = one("function f(a, b,) { return a + b; }", "f");
    expect(c.bodyHash).not.toBe(a.bodyHash);
    expect(c.signature).toBe("(a, b)");
  });

  it("changes with code, including string contents", () => {
    const base = one('function f() { return "a b"; }', "f").bodyHash;
    expect(one('function f() { return "ab"; }', "f").bodyHash).not.toBe(base);
    expect(one('function f() { return "a b" + 1; }', "f").bodyHash).not.toBe(base);
  });

  it("excludes nested functions from the parent's own tokens", () => {
    const v1 = "function setup(app) {\n  app.get('/', (req, res) => { res.send('v1'); });\n}";
    const v2 = "function setup(app) {\n  app.get('/', (req, res) => { res.send('v2'); });\n}";
    expect(one(v2, "setup").bodyHash).toBe(one(v1, "setup").bodyHash);
    expect(one(v2, "setup.<anonymous>").bodyHash).not.toBe(one(v1, "setup.<anonymous>").bodyHash);
  });

  it("does not count the function's name in its body hash (renames keep the hash)", () => {
    expect(one("function oldName(x) { return x * 2; }", "oldName").bodyHash).toBe(
      one("function newName(x) { return x * 2; }", "newName").bodyHash,
    );
  });

  it("normalises single-parameter arrows and return types into the signature", () => {
    expect(one("const f = x => x;", "f", "x.js").signature).toBe("(x)");
    expect(one("const f = (x) => x;", "f", "x.js").signature).toBe("(x)");
    expect(one("function f<T>(x: T, y = 2): Promise<T> { return x; }", "f").signature).toBe(
      "(x: T, y = 2): Promise<T>",
    );
  });

  it("recovers from syntax errors and still extracts the intact functions", () => {
    const fns = extractFunctions("function ok() { return 1; }\nfunction broken( {\n", "x.js");
    expect(fns[0]).toMatchObject({ name: "ok", startLine: 1, endLine: 1 });
  });
});

describe("languageFor", () => {
  it("maps extensions to grammars", () => {
    expect(
      [
        "a.js",
        "a.jsx",
        "a.mjs",
        "a.cjs",
        "a.ts",
        "a.mts",
        "a.cts",
        "a.tsx",
        "a.json",
        "Makefile",
        "dir.js/x",
      ].map(languageFor),
    ).toEqual([
      "javascript",
      "javascript",
      "javascript",
      "javascript",
      "typescript",
      "typescript",
      "typescript",
      "tsx",
      null,
      null,
      null,
    ]);
  });

  it("returns no functions for paths it does not parse", () => {
    expect(extractFunctions("function f() {}", "README.md")).toEqual([]);
  });
});

describe("TypeScript tree-sitter misreads", () => {
  it("names the class below overloaded call signatures split over lines", () => {
    const source = fixture("factory-call-signatures.ts.txt");
    const names = extractFunctions(source, "src/factory.ts").map((fn) => fn.name);
    expect(names.slice(-3)).toEqual(["Factory.constructor", "Factory.createApp", "createFactory"]);
    expect(names.filter((name) => name.startsWith("Factory.route"))).toHaveLength(25);
  });

  it("rewrites only the call signatures of a file, keeping every offset", () => {
    const source = fixture("factory-call-signatures.ts.txt");
    const separated = rewriteForTreeSitter(source);
    expect(separated).toHaveLength(source.length);
    const changed = [...source].flatMap((char, at) =>
      char === separated[at] ? [] : [[char, separated[at]]],
    );
    // The two-handler signature's `<` (its own line, after a comment) gets a `;` before it.
    expect(changed).toEqual([[" ", ";"]]);
    // A generic arrow continuing an assignment is not a new member.
    const arrow = "export const id =\n  <T>(value: T): T => value\n";
    expect(rewriteForTreeSitter(arrow)).toBe(arrow);
  });

  it("parses variance modifiers, call signatures after doc comments and type-only star exports", () => {
    const source = [
      "export type * from './types'",
      "export interface ZodObject<",
      "  /** @ts-ignore Cast variance */",
      "  out Shape extends object = {},",
      "  in out Config = {},",
      "> {",
      "  /**",
      "   * Parses.",
      "   */",
      "  <T>(input: T): Shape",
      "  /** Parses async. */",
      "  <T>(input: T, async: true): Promise<Shape>",
      "}",
      "",
      "export class Parser<in T> {",
      "  parse(input: T): boolean {",
      "    return input !== undefined",
      "  }",
      "}",
    ].join("\n");
    expect(toolsFor("typescript").parser.parse(source).rootNode.hasError).toBe(true);
    expect(parseSource(source, "typescript").rootNode.hasError).toBe(false);
    expect(rewriteForTreeSitter(source)).toHaveLength(source.length);
    expect(extractFunctions(source, "src/parser.ts").map((fn) => fn.name)).toEqual([
      "Parser.parse",
    ]);
  });
});
