import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyseFile, innermostAt, type Range } from "../../../src/code/analyse-file.ts";
import { languageFor } from "../../../src/code/language-for.ts";
import { parseAround } from "../../../src/code/parse-spans.ts";
import { realSources } from "./real-sources.ts";

/** What the call-site search reads at a call: the enclosing function's name, or a comment. */
function readAt(
  source: string,
  path: string,
  tree: ReturnType<typeof parseAround> | undefined,
  at: Range[],
) {
  const language = languageFor(path)!;
  const analysed = analyseFile(source, language, {
    ...(tree ? { tree } : {}),
    regions: at,
    bodies: false,
  });
  return at.map(({ start }) => {
    if (analysed.comments.some((c) => c.start <= start && start < c.end)) return "(comment)";
    const index = innermostAt(analysed.functions, start);
    return index < 0 ? "(top level)" : analysed.functions[index]!.name;
  });
}

describe("parseAround for call sites", () => {
  const corpora = [
    "handlebars/lib",
    "commander/lib",
    "yaml/dist",
    "bullmq/dist/esm/classes",
    "zod/src/v4/core",
  ];
  for (const corpus of corpora) {
    it(`finds the same enclosing function at calls spread over each file as a whole-file parse, on real ${corpus} sources`, () => {
      let calls = 0;
      let cut = 0;
      for (const path of realSources(corpus, 25, 100_000)) {
        const source = readFileSync(path, "utf8");
        const sites = [...source.matchAll(/[A-Za-z_$][\w$]*(?=\()/g)].map((m) => ({
          start: m.index,
          end: m.index + m[0].length,
        }));
        // A few calls at a time, spread over the file, as the search asks for them.
        const step = Math.max(7, Math.ceil(sites.length / 12));
        for (let first = 0; first < sites.length; first += step) {
          const at = sites.slice(first, first + 3);
          const tree = parseAround(source, languageFor(path)!, at);
          if (tree.getIncludedRanges().length > 1) cut += 1;
          expect(readAt(source, path, tree, at), `${path} at ${at[0]!.start}`).toEqual(
            readAt(source, path, undefined, at),
          );
          calls += at.length;
        }
      }
      expect(calls).toBeGreaterThan(100);
      // Lookups in large files parse pieces, not whole files (small files are parsed whole).
      expect(cut).toBeGreaterThan(0);
    });
  }
});
