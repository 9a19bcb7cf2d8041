import { describe, expect, it } from "vitest";
import { analyze } from "../../../src/analyze.ts";
import { configSchema, defaultConfig } from "../../../src/config.ts";
import { serialize } from "../../../src/instrument/serialize.ts";
import type { InputSample } from "../../../src/telemetry/types.ts";
import {
  BASE,
  changeSet,
  FixedTelemetryStore,
  fn,
  NOW,
  telemetry,
  typicalInputs,
} from "../../fixtures/report/inputs.ts";

describe("analyze", () => {
  it("asks the store once for all functions and sorts by risk", async () => {
    const { changes, store, history } = typicalInputs();
    const report = await analyze({
      changes,
      store,
      history,
      config: defaultConfig(),
      repo: null,
      now: NOW,
    });
    expect(store.requests).toHaveLength(1);
    expect(store.requests[0]?.functions).toHaveLength(changes.functions.length);
    expect(store.requests[0]?.window.to).toEqual(NOW);
    const scores = report.functions.map((f) => f.risk.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(report.functions[0]?.fn.name).toBe("applyDiscount");
    expect(report.level).toBe(report.functions[0]?.risk.level);
    expect(report.withTraffic).toBe(2);
    expect(report.gate).toMatchObject({ failOn: "high", tripped: true, conclusion: "failure" });
  });

  it("records an override that turns a failure into success", async () => {
    const { changes, store, history } = typicalInputs();
    const override = { by: "octocat", reason: "hotfix approved by on-call" };
    const report = await analyze({
      changes,
      store,
      history,
      config: defaultConfig(),
      repo: null,
      now: NOW,
      override,
    });
    expect(report.gate).toMatchObject({ tripped: true, conclusion: "success", override });
  });

  it("is neutral and honest when telemetry fails, unless the gate fails closed", async () => {
    const { changes, history } = typicalInputs();
    const failing = new FixedTelemetryStore([], "connect ECONNREFUSED 127.0.0.1:8123");
    const report = await analyze({
      changes,
      store: failing,
      history,
      config: defaultConfig(),
      repo: null,
      now: NOW,
    });
    expect(report.gate.conclusion).toBe("neutral");
    expect(report.telemetryAvailable).toBe(false);
    expect(report.notices.join(" ")).toMatch(/Telemetry query failed: connect ECONNREFUSED/);
    for (const f of report.functions) {
      expect(f.risk.factors.find((x) => x.id === "noTelemetry")?.value).toBe(1);
    }
    const closed = configSchema.parse({ gate: { failClosed: true } });
    const failed = await analyze({
      changes,
      store: null,
      history,
      config: closed,
      repo: null,
      now: NOW,
      telemetryError: "no --db",
    });
    expect(failed.gate).toMatchObject({ tripped: true, conclusion: "failure" });
    expect(failed.notices.join(" ")).toMatch(/Telemetry unavailable: no --db/);
  });

  it("restricts the query to services whose paths the change touches", async () => {
    const store = new FixedTelemetryStore([telemetry("services/api/a.ts", "a")]);
    const config = configSchema.parse({
      services: [
        { paths: ["services/api/**"], service: "api" },
        { paths: ["services/web/**"], service: "web" },
      ],
    });
    await analyze({
      changes: changeSet([fn({ file: "services/api/a.ts", name: "a" })]),
      store,
      history: null,
      config,
      repo: null,
      now: NOW,
    });
    expect(store.requests[0]?.services).toEqual(["api"]);
  });

  it("gives an empty change a low, passing report without querying", async () => {
    const store = new FixedTelemetryStore([]);
    const report = await analyze({
      changes: changeSet([]),
      store,
      history: null,
      config: defaultConfig(),
      repo: null,
      now: NOW,
    });
    expect(report).toMatchObject({ level: "low", score: 0, functions: [], withTraffic: 0 });
    expect(report.gate.conclusion).toBe("success");
    expect(store.requests).toHaveLength(0);
  });

  it("lets scenario selection see a rare exception behind many common inputs", async () => {
    const priceCart = fn({ file: "src/pricing/cart.js", name: "priceCart", exported: true });
    const key = { file: priceCart.file, name: priceCart.name };
    const sample = (i: number, count: number, outcome: InputSample["outcome"]): InputSample => ({
      key,
      args: serialize([i]),
      outcome,
      count,
      lastSeen: "2026-11-20T11:00:00.000Z",
      version: BASE,
    });
    // 100 frequent successful calls, then one rare throw: the store returns them by count.
    const samples = Array.from({ length: 100 }, (_, i) =>
      sample(i, 1000 - i, { kind: "return", value: serialize(i) }),
    );
    samples.push(sample(-1, 1, { kind: "throw", type: "RangeError", message: "negative qty" }));
    const store = new FixedTelemetryStore(
      [telemetry(priceCart.file, priceCart.name)],
      null,
      samples,
    );
    const report = await analyze({
      changes: changeSet([priceCart]),
      store,
      history: null,
      config: defaultConfig(),
      repo: null,
      now: NOW,
    });
    const cases = report.scenarios.flatMap((s) => s.cases);
    expect(cases.length).toBeGreaterThan(1);
    expect(cases.map((c) => c.expectation)).toContainEqual({
      kind: "throws",
      type: "RangeError",
      message: "negative qty",
    });
  });

  it("never trips a gate set to never", async () => {
    const { changes, store, history } = typicalInputs();
    const config = configSchema.parse({ gate: { failOn: "never" } });
    const report = await analyze({ changes, store, history, config, repo: null, now: NOW });
    expect(report.gate).toMatchObject({ tripped: false, conclusion: "success" });
  });
});
