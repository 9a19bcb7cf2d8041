import { describe, expect, it } from "vitest";
import type { ChangedFunction } from "../../../src/code/types.ts";
import { defaultConfig } from "../../../src/config.ts";
import { serialize } from "../../../src/instrument/serialize.ts";
import {
  buildScenarios,
  exportPathOf,
  importPathFor,
  unreachableReason,
} from "../../../src/scenarios/build-scenarios.ts";
import type { InputSample } from "../../../src/telemetry/types.ts";

const fn = (name: string, extra: Partial<ChangedFunction> = {}): ChangedFunction => ({
  file: "src/shop/cart.ts",
  name,
  change: "modified",
  startLine: 1,
  endLine: 3,
  signatureChanged: false,
  callers: [],
  exported: true,
  ...extra,
});
const sample = (
  name: string,
  args: unknown[],
  outcome: InputSample["outcome"],
  count = 1,
): InputSample => ({
  key: { file: "src/shop/cart.ts", name },
  args: serialize(args),
  outcome,
  count,
  lastSeen: "2026-11-25T10:00:00.000Z",
  version: "3f2a9c1",
});
const returns = (value: unknown): InputSample["outcome"] => ({
  kind: "return",
  value: serialize(value),
});
const config = defaultConfig().scenarios;

describe("buildScenarios", () => {
  it("renders one runnable vitest file per function with equals, throws and doesNotThrow cases", () => {
    const [scenario] = buildScenarios({
      functions: [fn("total")],
      samples: [
        sample("total", [[1, 2]], returns(3), 5),
        sample("total", [null], {
          kind: "throw",
          type: "TypeError",
          message: "items must be an array",
        }),
        sample("total", ["x"], returns(1)),
        sample("total", ["x"], returns(2)),
      ],
      config,
    });
    expect(scenario).toMatchObject({
      key: { file: "src/shop/cart.ts", name: "total" },
      framework: "vitest",
      fileName: "src__shop__cart.total.test.ts",
      runnable: true,
      reason: null,
    });
    expect(scenario?.cases.map((c) => [c.args, c.expectation, c.seen])).toEqual([
      ["[1, 2]", { kind: "equals", value: "3" }, 5],
      // Exception types come before other rarer classes.
      ["null", { kind: "throws", type: "TypeError", message: "items must be an array" }, 1],
      ['"x"', { kind: "doesNotThrow" }, 2],
    ]);
    const code = scenario?.code ?? "";
    expect(code).toContain('import * as target from "../src/shop/cart.ts";');
    expect(code).toContain("expect(await call([1, 2])).toEqual(3);");
    expect(code).toContain('expect(errorType(error)).toBe("TypeError");');
    expect(code).toContain('expect(error.message).toBe("items must be an array");');
    expect(code).toContain('await call("x");');
    expect(code).toContain("last seen running 3f2a9c1");
  });

  it("says in the file header what the per-function cap left out", () => {
    const throws = (type: string, message: string): InputSample["outcome"] => ({
      kind: "throw",
      type,
      message,
    });
    const samples = [
      sample("total", [[1]], returns(1), 90),
      sample("total", [[2]], returns(2), 80),
      sample("total", [[3]], returns(null), 40),
      sample("total", [null], throws("TypeError", "items must be an array"), 1),
      sample("total", ["x"], throws("RangeError", "qty must be positive"), 2),
    ];
    const [capped] = buildScenarios({
      functions: [fn("total")],
      samples,
      config: { ...config, maxPerFunction: 3 },
    });
    expect(capped?.cases.map((c) => c.expectation.kind)).toEqual(["equals", "throws", "throws"]);
    expect(capped?.code).toContain(
      "// Capped at 3 cases (scenarios.maxPerFunction): 2 more distinct inputs\n// (120 calls) left out; outcome classes without a case (1):\n// return:null.",
    );
    const [all] = buildScenarios({ functions: [fn("total")], samples, config });
    expect(all?.cases).toHaveLength(5);
    expect(all?.code).not.toContain("Capped at");
  });

  it("lists samples with the reason when the function cannot be imported", () => {
    const scenarios = buildScenarios({
      functions: [fn("helper", { exported: false }), fn("Cart.count"), fn("setup.<anonymous>")],
      samples: [
        sample("helper", [1], returns(1)),
        sample("Cart.count", [], returns(2)),
        sample("setup.<anonymous>", [], returns(3)),
      ],
      config,
      moduleInfo: {
        sources: new Map([["src/shop/cart.ts", "export class Cart {\n  count() { return 2 }\n}"]]),
      },
    });
    expect(
      scenarios.map((s) => [
        s.key.name,
        s.runnable,
        s.reason?.split(":")[0],
        s.code,
        s.samples.length,
      ]),
    ).toEqual([
      [
        "helper",
        false,
        "not exported from its module (scenarios call functions through the module's exports)",
        null,
        1,
      ],
      ["Cart.count", false, "instance method", null, 1],
      ["setup.<anonymous>", false, "anonymous function", null, 1],
    ]);
  });

  it("skips functions without samples and removed functions, and caps functions and cases", () => {
    const samples = Array.from({ length: 20 }, (_, i) => sample("a", [i], returns(i)));
    const scenarios = buildScenarios({
      functions: [fn("gone", { change: "removed" }), fn("quiet"), fn("a"), fn("b")],
      samples: [...samples, sample("gone", [], returns(0)), sample("b", [], returns(0))],
      config: { ...config, maxFunctions: 1, maxPerFunction: 4 },
    });
    expect(scenarios.map((s) => s.key.name)).toEqual(["a"]);
    expect(scenarios[0]?.cases).toHaveLength(4);
  });

  it("returns nothing when scenarios are disabled", () => {
    expect(
      buildScenarios({
        functions: [fn("a")],
        samples: [sample("a", [], returns(1))],
        config: { ...config, enabled: false },
      }),
    ).toEqual([]);
  });

  it("renders jest files with require", () => {
    const [scenario] = buildScenarios({
      functions: [fn("total", { file: "lib/total.js" })],
      samples: [
        { ...sample("total", [1], returns(1)), key: { file: "lib/total.js", name: "total" } },
      ],
      config: { ...config, framework: "jest" },
      moduleInfo: { outDir: "test/faultline" },
    });
    expect(scenario?.fileName).toBe("lib__total.total.test.js");
    expect(scenario?.code).toContain('const target = require("../../lib/total.js");');
    expect(scenario?.code).not.toContain("vitest");
  });

  it("matches values made from the clock or random ids loosely, and keeps stable ones exact", () => {
    const [scenario] = buildScenarios({
      functions: [fn("createSession")],
      samples: [
        sample(
          "createSession",
          ["usr_1"],
          returns({
            id: "9b2e4c1a-3f5d-4e6b-8a7c-1d2e3f4a5b6c",
            userId: "usr_1",
            at: new Date("2026-11-25T09:59:59.000Z"),
            born: new Date("1990-01-01T00:00:00.000Z"),
          }),
        ),
      ],
      config,
    });
    expect(scenario?.cases[0]?.expectation).toEqual({
      kind: "equals",
      value:
        '{ id: expect.any(String), userId: "usr_1", at: expect.any(Date), born: new Date("1990-01-01T00:00:00.000Z") }',
    });
  });

  it("drops error messages that change from run to run", () => {
    const [scenario] = buildScenarios({
      functions: [fn("load")],
      samples: [
        sample("load", [1], {
          kind: "throw",
          type: "TimeoutError",
          message: "timed out after 5023 ms",
        }),
      ],
      config,
    });
    expect(scenario?.cases[0]?.expectation).toEqual({
      kind: "throws",
      type: "TimeoutError",
      message: null,
    });
  });

  it("redacts again before rendering, consistently between input and expected value", () => {
    // Samples written by an older or misconfigured writer: nothing redacted at capture.
    const [scenario] = buildScenarios({
      functions: [fn("normalize")],
      samples: [
        sample(
          "normalize",
          [{ email: "Ana@Lopez.es", password: "hunter2" }],
          returns({ email: "ana@lopez.es" }),
        ),
      ],
      config,
    });
    const code = scenario?.code ?? "";
    expect(code).not.toMatch(/lopez|hunter2/i);
    // One pseudonym for both spellings; the input keeps its capitals, the result is lower case.
    const emails = code.match(/user-[0-9a-f]{8}@example\.com/gi) ?? [];
    expect(emails.length).toBeGreaterThanOrEqual(2);
    expect(new Set(emails.map((e) => e.toLowerCase())).size).toBe(1);
    expect(code).toMatch(/User-[0-9a-f]{8}@Example\.com/);
    expect(JSON.stringify(scenario?.samples)).not.toMatch(/lopez|hunter2/i);
  });

  it("cannot be made to inject code through captured values", () => {
    const evil = '"); process.exit(1); ("';
    const [scenario] = buildScenarios({
      functions: [fn("echo")],
      samples: [
        {
          ...sample("echo", [evil], returns(evil)),
          args: '[{"$t":"bigint","v":"1); process.exit(1); (1"}]',
        },
        sample("echo", [evil, { "x*/ process.exit(1) /*": 1 }], returns(1)),
        {
          ...sample("echo", [1], {
            kind: "throw",
            type: 'Error"); process.exit(1); ("',
            message: evil,
          }),
        },
      ],
      config,
    });
    const code = scenario?.code ?? "";
    // Every captured string is a JSON literal; the malformed bigint was refused.
    expect(code).not.toMatch(/\n[^\n"]*process\.exit/);
    expect(scenario?.cases).toHaveLength(2);
    expect(
      () =>
        new Function(code.replace(/^import .*$/gm, "").replace(/^const \{ owner, fn \}.*$/m, "")),
    ).not.toThrow();
  });
});

describe("module reachability and imports", () => {
  it("derives the export path from the qualified name", () => {
    expect(exportPathOf("quote")).toEqual(["quote"]);
    expect(exportPathOf("format.money")).toEqual(["format", "money"]);
    expect(exportPathOf("module.exports.slugify")).toEqual(["slugify"]);
    expect(exportPathOf("exports.parse")).toEqual(["parse"]);
    expect(exportPathOf("module.exports")).toEqual([]);
  });

  it("tells static and object methods from instance methods and nested functions", () => {
    const source = [
      "export class Cart {", // 1
      "  static fromJSON(text) { return new Cart() }", // 2
      "  count() { return 0 }", // 3
      "}",
      "export const format = {", // 5
      "  money(c) { return c }", // 6
      "  get currency() { return 'EUR' }", // 7
      "};",
      "export function setup() {", // 9
      "  const inner = () => 1;", // 10
      "}",
    ].join("\n");
    const at = (name: string, startLine: number) =>
      unreachableReason(fn(name, { startLine }), source);
    expect(at("Cart.fromJSON", 2)).toBeNull();
    expect(at("Cart.count", 3)).toMatch(/^instance method/);
    expect(at("format.money", 6)).toBeNull();
    expect(at("format.currency", 7)).toMatch(/^getter or setter/);
    expect(at("setup.inner", 10)).toMatch(/^nested inside function setup/);
    expect(at("Router.prototype.handle", 1)).toMatch(/^instance method/);
    expect(at("Cart.constructor", 1)).toMatch(/^constructor/);
  });

  it("imports relative from the output directory to the repo file", () => {
    expect(importPathFor("src/a.js", undefined)).toBe("../src/a.js");
    expect(importPathFor("src/a.js", { outDir: "test/generated/scenarios" })).toBe(
      "../../../src/a.js",
    );
    expect(importPathFor("a.js", { outDir: "." })).toBe("./a.js");
    expect(importPathFor("src/a.js", { outDir: "/tmp/out", repoRoot: "/work/repo" })).toBe(
      "../../work/repo/src/a.js",
    );
  });
});
