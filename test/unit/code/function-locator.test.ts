import { describe, expect, it } from "vitest";
import { createFunctionLocator } from "../../../src/code/function-locator.ts";

const v1 = `class Router {
  handle(req) {
    return this.stack.map((layer) => {
      return layer.run(req);
    });
  }
}
`;
const v2 = `// a header line pushes everything down
${v1}`;

function fakeRepo() {
  const reads: string[] = [];
  const files: Record<string, Record<string, string>> = {
    aaa: { "src/router.js": v1 },
    bbb: { "src/router.js": v2 },
  };
  return {
    reads,
    locator: createFunctionLocator({
      async readFile(rev, path) {
        reads.push(`${rev}:${path}`);
        const tree = files[rev];
        if (!tree) throw new Error(`unknown revision ${rev}`);
        return tree[path] ?? null;
      },
      listFiles: async () => Object.keys(files.bbb!),
      fallbackRevision: "bbb",
    }),
  };
}

describe("createFunctionLocator", () => {
  it("finds the innermost function holding a line at the frame's revision", async () => {
    const { locator } = fakeRepo();
    expect(await locator.functionAt("aaa", "src/router.js", 4)).toBe("Router.handle.<anonymous>");
    expect(await locator.functionAt("aaa", "src/router.js", 2)).toBe("Router.handle");
    expect(await locator.functionAt("aaa", "src/router.js", 7)).toBeNull();
    // The same line at the head revision is one line lower.
    expect(await locator.functionAt("bbb", "src/router.js", 5)).toBe("Router.handle.<anonymous>");
  });

  it("falls back to the fallback revision when the revision is unknown or missing", async () => {
    const { locator } = fakeRepo();
    expect(await locator.functionAt(null, "src/router.js", 3)).toBe("Router.handle");
    expect(await locator.functionAt("ccc", "src/router.js", 3)).toBe("Router.handle");
    expect(await locator.functionAt("bbb", "src/missing.js", 3)).toBeNull();
    expect(await locator.functionAt("bbb", "README.md", 1)).toBeNull();
  });

  it("reads and parses each (revision, path) once", async () => {
    const { locator, reads } = fakeRepo();
    await Promise.all(
      [1, 2, 3, 4, 5].map((line) => locator.functionAt("aaa", "src/router.js", line)),
    );
    await locator.functionAt("aaa", "src/router.js", 6);
    expect(reads).toEqual(["aaa:src/router.js"]);
    expect(await locator.repoFiles()).toEqual(["src/router.js"]);
  });
});
