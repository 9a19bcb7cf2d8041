import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectChanges } from "../../../src/code/collect-changes.ts";
import { openLocalGitSource } from "../../../src/code/local-git-source.ts";
import type { ChangedFunction } from "../../../src/code/types.ts";
import { defaultConfig } from "../../../src/config.ts";
import { buildScenarios } from "../../../src/scenarios/build-scenarios.ts";
import type { Scenario } from "../../../src/scenarios/types.ts";
import type { InputSample } from "../../../src/telemetry/types.ts";
import { captureTraffic } from "../../fixtures/scenarios/capture-traffic.ts";
import { applyEdit, MUTATIONS } from "../../fixtures/scenarios/edits.ts";
import { runVitest } from "../../fixtures/scenarios/run-vitest.ts";
import { createSampleRepo, type SampleRepo } from "../../fixtures/scenarios/sample-repo.ts";

let repo: SampleRepo;
let functions: ChangedFunction[];
let samples: InputSample[];
let scenarios: Scenario[];
const outDir = "faultline-scenarios";

beforeAll(async () => {
  repo = await createSampleRepo();
  // Production runs the base commit: capture its traffic through faultline/instrument.
  await repo.git("checkout", "-q", repo.base);
  samples = await captureTraffic(repo.dir);
  const source = await openLocalGitSource({ repo: repo.dir, base: repo.base, head: repo.head });
  functions = (await collectChanges(source)).functions;
  const sources = new Map<string, string>();
  for (const file of new Set(functions.map((f) => f.file))) {
    sources.set(file, (await source.readFile(repo.head, file)) ?? "");
  }
  scenarios = buildScenarios({
    functions,
    samples,
    config: { ...defaultConfig().scenarios, maxFunctions: 20 },
    moduleInfo: { outDir, sources },
  });
  mkdirSync(join(repo.dir, outDir), { recursive: true });
  for (const s of scenarios) if (s.code) writeFileSync(join(repo.dir, outDir, s.fileName), s.code);
});

afterAll(() => repo?.remove());

describe("scenarios from real captured traffic of the sample service", () => {
  it("covers the changed functions production called, runnable where importable", () => {
    const current = functions.filter((f) => f.change !== "removed");
    expect(current.map((f) => f.name).sort()).toEqual(
      [
        "Cart.count",
        "Cart.fromJSON",
        "authorize",
        "cartSummary",
        "format.money",
        "maskCard",
        "normalizeUser",
        "parseAge",
        "quote",
        "shippingCents",
        "slugify",
      ].sort(),
    );
    const byName = new Map(scenarios.map((s) => [s.key.name, s]));
    expect(byName.get("Cart.count")).toMatchObject({
      runnable: false,
      reason: expect.stringContaining("instance method"),
      code: null,
    });
    expect(byName.get("Cart.count")?.samples.length).toBeGreaterThan(0);
    for (const name of [
      "quote",
      "format.money",
      "Cart.fromJSON",
      "normalizeUser",
      "parseAge",
      "slugify",
      "maskCard",
      "authorize",
    ]) {
      expect(byName.get(name)?.runnable, name).toBe(true);
    }
    // Every outcome class of quote is a case: the return and each exception type.
    const quote = byName.get("quote");
    const thrown = quote?.cases.flatMap((c) =>
      c.expectation.kind === "throws" ? [c.expectation.type] : [],
    );
    expect(new Set(thrown)).toEqual(new Set(["InvalidCouponError", "RangeError", "TypeError"]));
    expect(quote?.cases.length).toBeLessThanOrEqual(defaultConfig().scenarios.maxPerFunction);
    // A captured Cart argument is rebuilt on the module's own Cart class (its methods run).
    expect(byName.get("cartSummary")?.code).toContain('instance("Cart", { items: [');
  });

  it("never writes captured personal data into the test files", () => {
    const code = scenarios.map((s) => s.code ?? "").join("\n");
    for (const secret of [
      "Maria.Garcia@Gmail.com",
      "maria.garcia",
      "li.wei@qq.com",
      "j.smith",
      "Tr0ub4dor&3",
      "4111111111111111",
      "4111 1111 1111 1111",
      "5425-2334-3010-9903",
      "ana.lopez@gmail.com",
    ]) {
      expect(code.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    expect(code).toMatch(/user-[0-9a-f]{8}@example\.com/);
  });

  it("pass on the base commit and catch a behaviour-changing edit", async () => {
    const onBase = await runVitest(repo.dir);
    expect(onBase.failures).toEqual(new Map());
    expect(onBase.passed).toBe(scenarios.reduce((n, s) => n + s.cases.length, 0));

    const mutation = MUTATIONS.find((m) => m.id === "m2"); // percent discounts floor instead of round
    if (!mutation) throw new Error("mutation m2 missing");
    applyEdit(repo.dir, mutation);
    const mutated = await runVitest(repo.dir);
    expect([...mutated.failures.keys()]).toEqual(["src__pricing.quote.test.js"]);
    expect(readFileSync(join(repo.dir, "src/pricing.js"), "utf8")).toContain(
      "Math.floor((subtotal",
    );
  });
});
