import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import { assessRisk } from "../../../src/risk/assess-risk.ts";
import { levelForScore } from "../../../src/risk/level-for-score.ts";
import { fn, NOW, telemetry } from "../../fixtures/report/inputs.ts";

const config = defaultConfig();
const base = {
  history: null,
  telemetryAvailable: true,
  windowDays: 14,
  now: NOW,
  risk: config.risk,
};
const hot = telemetry("src/a.ts", "hot", {
  current: { calls: 140_000, errors: 4_200, errorRate: 0.03, p50Ms: 2, p95Ms: 20, p99Ms: 50 },
  previous: { calls: 140_000, errors: 140, errorRate: 0.001, p50Ms: 2, p95Ms: 20, p99Ms: 50 },
  trafficShare: 0.4,
  trend: "rising",
});

describe("assessRisk", () => {
  it("explains every factor: value 0..1 × weight = contribution, summing to the score", () => {
    const risk = assessRisk({ ...base, fn: fn({ file: "src/a.ts", name: "hot" }), telemetry: hot });
    expect(risk.factors.map((f) => f.id)).toEqual([
      "traffic",
      "errorRate",
      "errorTrend",
      "exceptions",
      "incidents",
      "changeSize",
      "blastRadius",
      "churn",
      "fixHistory",
      "noTelemetry",
    ]);
    for (const f of risk.factors) {
      expect(f.value).toBeGreaterThanOrEqual(0);
      expect(f.value).toBeLessThanOrEqual(1);
      expect(f.weight).toBe(config.risk.weights[f.id]);
      expect(f.contribution).toBeCloseTo(f.value * f.weight, 1);
      expect(f.detail.length).toBeGreaterThan(0);
    }
    const sum = risk.factors.reduce((s, f) => s + f.contribution, 0);
    expect(risk.score).toBeCloseTo(Math.min(100, sum), 0);
    const errorRate = risk.factors.find((f) => f.id === "errorRate");
    expect(errorRate?.detail).toBe("3.0% of calls fail (4,200 of 140,000)");
    expect(risk.factors.find((f) => f.id === "errorTrend")?.detail).toBe(
      "error rate up from 0.1% to 3.0%",
    );
  });

  it("is deterministic and honours configured weights and thresholds", () => {
    const input = { ...base, fn: fn({ file: "src/a.ts", name: "hot" }), telemetry: hot };
    expect(assessRisk(input)).toEqual(assessRisk(input));
    const quiet = assessRisk({
      ...input,
      risk: {
        ...config.risk,
        weights: { ...config.risk.weights, traffic: 0, errorRate: 0, errorTrend: 0 },
      },
    });
    expect(quiet.score).toBeLessThan(assessRisk(input).score);
    const strict = assessRisk({
      ...input,
      risk: { ...config.risk, thresholds: { medium: 1, high: 2, critical: 3 } },
    });
    expect(strict.level).toBe("critical");
  });

  it("treats existing code production never saw as unknown risk, not low", () => {
    const modified = assessRisk({
      ...base,
      fn: fn({ file: "src/b.ts", name: "b" }),
      telemetry: null,
    });
    const noTelemetry = modified.factors.find((f) => f.id === "noTelemetry");
    expect(noTelemetry?.value).toBe(1);
    expect(noTelemetry?.detail).toMatch(/never seen in production/);
    const added = assessRisk({
      ...base,
      fn: fn({ file: "src/b.ts", name: "c", change: "added" }),
      telemetry: null,
    });
    expect(added.factors.find((f) => f.id === "noTelemetry")?.value).toBe(0.5);
    const unavailable = assessRisk({
      ...base,
      telemetryAvailable: false,
      fn: fn({ file: "src/b.ts", name: "b" }),
      telemetry: null,
    });
    expect(unavailable.factors.find((f) => f.id === "noTelemetry")?.detail).toMatch(/unavailable/);
  });

  it("scores a signature change by how many call sites depend on it", () => {
    const callers = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ file: `src/c${i}.ts`, line: 1, function: "f" }));
    const blast = (n: number, signatureChanged = true) =>
      assessRisk({
        ...base,
        fn: fn({ file: "src/a.ts", name: "a", signatureChanged, callers: callers(n) }),
        telemetry: null,
      }).factors.find((f) => f.id === "blastRadius")?.value ?? -1;
    expect(blast(0)).toBe(0);
    expect(blast(1)).toBeGreaterThan(0.5);
    expect(blast(40)).toBeGreaterThan(blast(1));
    expect(blast(40, false)).toBe(0);
  });

  it("weights incidents by recency and fix/revert history by count", () => {
    const incident = (daysAgo: number) => ({
      id: "INC-1",
      title: "t",
      severity: "sev1",
      startedAt: new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString(),
      resolvedAt: null,
      service: null,
      url: null,
      source: "imported" as const,
      evidence: "e",
    });
    const incidents = (daysAgo: number) =>
      assessRisk({
        ...base,
        fn: fn({ file: "src/a.ts", name: "hot" }),
        telemetry: { ...hot, incidents: [incident(daysAgo)] },
      }).factors.find((f) => f.id === "incidents")?.value ?? -1;
    expect(incidents(1)).toBeGreaterThan(incidents(60));
    expect(incidents(30)).toBeCloseTo(0.5, 1);
    const commit = { sha: "a".repeat(40), author: "x", date: NOW.toISOString(), subject: "fix" };
    const fixes = assessRisk({
      ...base,
      fn: fn({ file: "src/a.ts", name: "a" }),
      telemetry: null,
      history: {
        recentCommits: [],
        churn90d: 10,
        authors: ["x"],
        fixes: [commit],
        reverts: [commit],
      },
    });
    expect(fixes.factors.find((f) => f.id === "fixHistory")?.value).toBe(0.75);
    expect(fixes.factors.find((f) => f.id === "churn")?.value).toBe(1);
  });

  it("discounts error rates from a handful of calls", () => {
    const few = telemetry("src/a.ts", "few", {
      current: { calls: 3, errors: 2, errorRate: 2 / 3, p50Ms: 1, p95Ms: 1, p99Ms: 1 },
    });
    const errorRate = assessRisk({
      ...base,
      fn: fn({ file: "src/a.ts", name: "few" }),
      telemetry: few,
    }).factors.find((f) => f.id === "errorRate");
    expect(errorRate?.value).toBe(0.03);
    expect(errorRate?.detail).toBe("67% of calls fail (2 of 3); few calls, counted at 3%");
  });

  it("maps scores to levels at the thresholds", () => {
    const t = config.risk.thresholds;
    expect(levelForScore(t.medium - 0.1, t)).toBe("low");
    expect(levelForScore(t.medium, t)).toBe("medium");
    expect(levelForScore(t.high, t)).toBe("high");
    expect(levelForScore(100, t)).toBe("critical");
  });
});
