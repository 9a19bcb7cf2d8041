import { describe, expect, it } from "vitest";
import { maxCallersPerFunction, nearestCallSites } from "../../../src/code/find-callers.ts";
import type { CallSite } from "../../../src/code/types.ts";

describe("nearestCallSites", () => {
  // 60 calls in each of: the function's own file, a file beside it, a file far away.
  const sites: CallSite[] = [
    "src/orders/service.ts",
    "src/orders/routes.ts",
    "test/e2e/orders.test.ts",
  ].flatMap((file) =>
    Array.from({ length: 60 }, (_, i) => ({ file, line: 10 + i, function: "handle" })),
  );

  it("keeps the nearest call sites, whatever order the files were searched in", () => {
    const forward = nearestCallSites("src/orders/service.ts", sites);
    const backward = nearestCallSites("src/orders/service.ts", [...sites].reverse());
    expect(backward).toEqual(forward);
    expect(forward).toHaveLength(maxCallersPerFunction);
    const perFile = (file: string) => forward.filter((site) => site.file === file).length;
    expect(perFile("src/orders/service.ts")).toBe(60);
    expect(perFile("src/orders/routes.ts")).toBe(40);
    expect(perFile("test/e2e/orders.test.ts")).toBe(0);
    // Listed by file and line.
    expect(forward[0]).toEqual({ file: "src/orders/routes.ts", line: 10, function: "handle" });
  });

  it("drops duplicates", () => {
    const site = { file: "src/a.ts", line: 3, function: "<top-level>" };
    expect(nearestCallSites("src/b.ts", [site, { ...site }])).toEqual([site]);
  });
});
