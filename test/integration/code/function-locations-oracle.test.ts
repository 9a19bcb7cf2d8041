/**
 * Function locations against an independent parser: Babel's, over real sources — installed
 * packages (compiled CommonJS and ESM, UMD wrappers, TypeScript sources) and Faultline's own
 * TypeScript. Every function-like node with a body must be found at the same start line
 * (decorators included) and end line as Babel finds it.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type ParserOptions, parse } from "@babel/parser";
import { describe, expect, it } from "vitest";
import { extractFunctions, languageFor } from "../../../src/code/extract-functions.ts";
import { contentSkipReason } from "../../../src/code/skip-reason.ts";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Source folders and how many of their files to read (sorted, so the set is stable). */
const corpora: { dir: string; take: number }[] = [
  { dir: "src", take: 400 },
  { dir: "test", take: 200 },
  { dir: "node_modules/handlebars/lib", take: 60 },
  { dir: "node_modules/yaml/dist", take: 100 },
  { dir: "node_modules/@octokit", take: 150 },
  { dir: "node_modules/pino/lib", take: 30 },
  { dir: "node_modules/bullmq/dist/esm/classes", take: 60 },
  { dir: "node_modules/zod/src", take: 150 },
  { dir: "node_modules/@opentelemetry/sdk-trace-base/build/src", take: 60 },
  { dir: "node_modules/undici/lib", take: 100 },
];

const FUNCTION_TYPES = new Set([
  "FunctionDeclaration",
  "FunctionExpression",
  "ArrowFunctionExpression",
  "ObjectMethod",
  "ClassMethod",
  "ClassPrivateMethod",
]);

interface BabelNode {
  type: string;
  loc?: { start: { line: number }; end: { line: number } };
  body?: unknown;
  decorators?: BabelNode[];
}

function sourceFiles(dir: string, take: number): string[] {
  const files = readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
    .map((file) => join(dir, file))
    .filter((file) => languageFor(file) !== null && !/\.d\.[cm]?ts$/.test(file))
    .sort();
  return files.slice(0, take);
}

/** `start-end` of every function-like node with a body, as Babel parses the file. */
function babelLocations(source: string, path: string): string[] {
  const typescript = /\.[cm]?tsx?$/.test(path);
  const jsx = !/\.[cm]?ts$/.test(path);
  const plugins: NonNullable<ParserOptions["plugins"]> = ["decorators"];
  if (typescript) plugins.push("typescript");
  if (jsx) plugins.push("jsx");
  const program = parse(source, { sourceType: "unambiguous", errorRecovery: true, plugins })
    .program as unknown as BabelNode;
  const found: string[] = [];
  const visit = (node: BabelNode) => {
    if (FUNCTION_TYPES.has(node.type) && node.body && node.loc) {
      const start = (node.decorators?.[0]?.loc ?? node.loc).start.line;
      found.push(`${start}-${node.loc.end.line}`);
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === "loc" || key.endsWith("Comments")) continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (child && typeof child === "object" && typeof child.type === "string") visit(child);
      }
    }
  };
  visit(program);
  return found.sort();
}

describe("function locations, checked against Babel's parser", () => {
  it("finds every function Babel finds, at the same lines, in real sources", () => {
    const mismatches: string[] = [];
    let functions = 0;
    let files = 0;
    for (const { dir, take } of corpora) {
      for (const file of sourceFiles(dir, take)) {
        const source = readFileSync(join(root, file), "utf8");
        if (contentSkipReason(source)) continue;
        const path = relative(root, join(root, file));
        const expected = babelLocations(source, path);
        const actual = extractFunctions(source, path)
          .map((f) => `${f.startLine}-${f.endLine}`)
          .sort();
        files += 1;
        functions += expected.length;
        if (expected.join() !== actual.join()) {
          const missing = expected.filter((l) => !actual.includes(l));
          const extra = actual.filter((l) => !expected.includes(l));
          mismatches.push(`${path}: missing ${missing.join(" ")}; extra ${extra.join(" ")}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
    // The corpus is real and large, not a handful of files that happen to agree.
    expect(files).toBeGreaterThan(500);
    expect(functions).toBeGreaterThan(5000);
  });
});
