import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { callCandidates } from "../../../src/code/call-references.ts";
import { realSources } from "./real-sources.ts";

const usesOf = (source: string, names: string[]) =>
  callCandidates(source, new Set(names)).map(({ start, name, member }) => [
    source.slice(source.lastIndexOf("\n", start) + 1, start + name.length),
    member,
  ]);

describe("callCandidates", () => {
  it("finds calls, `new`, tagged templates and JSX elements, not definitions or other uses", () => {
    const source = [
      "function build(a) { return a }",
      "function* build2() {}",
      "const x = build(1) + api.build (2) + build`t` + build?.(3) + build<T>(4)",
      "const y = new Service() + new api.Service() + <Service /> + #build() + build + rebuild()",
      "",
    ].join("\n");
    expect(usesOf(source, ["build", "build2", "Service"])).toEqual([
      ["const x = build", false],
      ["const x = build(1) + api.build", true],
      ["const x = build(1) + api.build (2) + build", false],
      ["const x = build(1) + api.build (2) + build`t` + build", false],
      ["const x = build(1) + api.build (2) + build`t` + build?.(3) + build", false],
      ["const y = new Service", false],
      ["const y = new Service() + new api.Service", true],
      ["const y = new Service() + new api.Service() + <Service", false],
    ]);
  });

  it("finds the same uses of a few names as of many (two ways of searching), on real sources", () => {
    const few = ["parse", "stringify", "compile", "resolve", "get", "set"];
    // Over the few-names threshold: the same names among many others.
    const many = [...few, ...Array.from({ length: 40 }, (_, i) => `helper${i}`), "Error", "push"];
    let found = 0;
    for (const path of [...realSources("yaml/dist", 30), ...realSources("handlebars/lib", 30)]) {
      const source = readFileSync(path, "utf8");
      const fromFew = callCandidates(source, new Set(few));
      const fromMany = callCandidates(source, new Set(many)).filter((c) => few.includes(c.name));
      expect(fromFew, path).toEqual(fromMany);
      found += fromFew.length;
    }
    expect(found).toBeGreaterThan(50);
  });
});
