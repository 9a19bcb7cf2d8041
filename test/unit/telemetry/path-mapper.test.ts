import { describe, expect, it } from "vitest";
import { createPathMapper } from "../../../src/telemetry/path-mapper.ts";

const repo = [
  "src/orders.ts",
  "src/orders/index.ts",
  "src/api/users.ts",
  "src/admin/users.ts",
  "packages/cart/src/cart.ts",
  "lib/legacy.js",
];

describe("createPathMapper", () => {
  it("maps deployed paths by the longest unique suffix", () => {
    const map = createPathMapper(repo, []);
    expect(map("/usr/src/app/lib/legacy.js")).toEqual({ repoPath: "lib/legacy.js", via: "suffix" });
    expect(map("/srv/app/src/api/users.ts")).toEqual({
      repoPath: "src/api/users.ts",
      via: "suffix",
    });
    expect(map("lib/legacy.js")).toEqual({ repoPath: "lib/legacy.js", via: "exact" });
  });

  it("maps built dist/*.js to src/*.ts", () => {
    const map = createPathMapper(repo, []);
    expect(map("/usr/src/app/dist/orders.js")).toEqual({
      repoPath: "src/orders.ts",
      via: "compiled",
    });
    expect(map("/app/packages/cart/dist/cart.js")).toEqual({
      repoPath: "packages/cart/src/cart.ts",
      via: "compiled",
    });
  });

  it("refuses to guess between equally good candidates", () => {
    const map = createPathMapper(repo, []);
    expect(map("/srv/app/users.ts")).toBeNull();
    expect(map("/srv/app/unknown.js")).toBeNull();
  });

  it("lets configured mappings override the automatic match", () => {
    const map = createPathMapper(repo, [{ deployed: "/opt/admin/dist/", repo: "src/admin/" }]);
    expect(map("/opt/admin/dist/users.js")).toEqual({
      repoPath: "src/admin/users.ts",
      via: "configured",
    });
  });
});
