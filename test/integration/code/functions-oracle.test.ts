/**
 * The engine against an independent reading of the same real sources — installed packages
 * (compiled CommonJS and ESM, UMD wrappers, zod's TypeScript) and Faultline's own code:
 * Babel's parser for where functions are, and the naming rules implemented again over
 * Babel's tree for what they are called.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { extractFunctions, languageFor } from "../../../src/code/extract-functions.ts";
import { contentSkipReason } from "../../../src/code/skip-reason.ts";
import type { ExtractedFunction } from "../../../src/code/types.ts";
import { babelFunctions, type OracleFunction } from "../../support/babel-functions.ts";

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

interface Compared {
  path: string;
  engine: ExtractedFunction[];
  oracle: OracleFunction[];
}

const compared: Compared[] = [];

beforeAll(() => {
  for (const { dir, take } of corpora) {
    const paths = readdirSync(join(root, dir), { recursive: true, encoding: "utf8" })
      .map((file) => join(dir, file))
      .filter((file) => languageFor(file) !== null && !/\.d\.[cm]?ts$/.test(file))
      .sort()
      .slice(0, take);
    for (const path of paths) {
      const source = readFileSync(join(root, path), "utf8");
      if (contentSkipReason(source)) continue;
      compared.push({
        path,
        engine: extractFunctions(source, path),
        oracle: babelFunctions(source, path),
      });
    }
  }
});

describe("the engine against an independent reading of real sources", () => {
  it("finds every function Babel finds, at the same start and end lines", () => {
    const mismatches: string[] = [];
    for (const { path, engine, oracle } of compared) {
      const expected = oracle.map((f) => `${f.start}-${f.end}`).sort();
      const actual = engine.map((f) => `${f.startLine}-${f.endLine}`).sort();
      if (expected.join() === actual.join()) continue;
      const missing = expected.filter((l) => !actual.includes(l));
      const extra = actual.filter((l) => !expected.includes(l));
      mismatches.push(`${path}: missing ${missing.join(" ")}; extra ${extra.join(" ")}`);
    }
    expect(mismatches).toEqual([]);
    // A real, large corpus, not a handful of files that happen to agree.
    expect(compared.length).toBeGreaterThan(500);
    expect(compared.reduce((sum, c) => sum + c.oracle.length, 0)).toBeGreaterThan(5000);
  });

  it("names them as the rules implemented again over Babel's tree do", () => {
    const mismatches: string[] = [];
    let named = 0;
    for (const { path, engine, oracle } of compared) {
      const at = (start: number, end: number) =>
        engine.filter((f) => f.startLine === start && f.endLine === end);
      for (const { start, end, name } of oracle) {
        const candidates = at(start, end);
        // Names left open, and functions sharing their lines (`a(() => 1, () => 2)`), are not compared.
        if (name === null || candidates.length !== 1) continue;
        named += 1;
        const actual = candidates[0]?.name;
        if (actual !== name)
          mismatches.push(`${path}:${start}-${end}: ${actual}, expected ${name}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(named).toBeGreaterThan(5000);
  });
});
