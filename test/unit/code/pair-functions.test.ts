import { describe, expect, it } from "vitest";
import { analyseFile } from "../../../src/code/analyse-file.ts";
import { pairFunctions } from "../../../src/code/pair-functions.ts";

// pino's browser tests stub `console.error` the same way in test after test.
const stubbedTest = (title: string) => [
  `test('${title}', ({ end, is }) => {`,
  "  const consoleError = console.error",
  "  console.error = function (binding, test) {",
  "    is(test.key, 'test')",
  "    console.error = consoleError",
  "    end()",
  "  }",
  `  logger.error({ key: 'test' }, '${title}')`,
  "})",
];
const base = [
  "const test = require('tape')",
  ...stubbedTest("serializes the first"),
  ...stubbedTest("serializes the second"),
  "",
].join("\n");

const changes = (head: string) =>
  pairFunctions(
    analyseFile(base, "javascript").functions,
    analyseFile(head, "javascript").functions,
  ).map((change) => ({
    change: change.change,
    name: (change.head ?? change.base)!.name,
    base: change.base && base.slice(0, change.base.startIndex).split("\n").length,
    head: change.head && head.slice(0, change.head.startIndex).split("\n").length,
  }));

describe("pairFunctions", () => {
  it("pairs an edited function with its own base, not a namesake with the same body", () => {
    // The first stub (line 4) gets a line; the second (line 13) is untouched, and still
    // pairs with itself though its body equals the first stub's base body.
    const head = base.replace("    end()\n", "    is(binding, undefined)\n    end()\n");
    expect(changes(head)).toEqual([
      { change: "modified", name: "<anonymous>.console.error", base: 4, head: 4 },
    ]);
  });

  it("still pairs an identical body that moved among its namesakes (a moved test)", () => {
    const head = [
      "const test = require('tape')",
      ...stubbedTest("serializes the second"),
      ...stubbedTest("serializes the first"),
      "",
    ].join("\n");
    // The stubs are the same; the test callbacks moved (nothing else changed).
    expect(changes(head)).toEqual([]);
  });
});
