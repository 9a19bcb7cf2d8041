import { describe, expect, it } from "vitest";
import { checkMessages } from "../../../src/github/check-messages.ts";
import type { Report } from "../../../src/report/types.ts";

const report = (overrides: Partial<Report> & { gate: Report["gate"] }): Report => ({
  base: "a".repeat(40),
  head: "b".repeat(40),
  repo: null,
  generatedAt: "2026-11-25T18:00:00.000Z",
  window: { from: "2026-11-11T18:00:00.000Z", to: "2026-11-25T18:00:00.000Z", days: 14 },
  level: "high",
  score: 61.4,
  functions: [],
  skipped: [],
  scenarios: [],
  notices: [],
  withTraffic: 0,
  ...overrides,
});

describe("checkMessages", () => {
  it("titles the verdict: gate reached, fail-closed without telemetry, neutral, overridden", () => {
    const gate = { failOn: "high" as const, tripped: true, override: null };
    expect(checkMessages.reportTitle(report({ gate: { ...gate, conclusion: "failure" } }))).toBe(
      "High risk (score 61/100) reaches the gate (high): 0 of 0 changed functions carry production traffic",
    );
    expect(
      checkMessages.reportTitle(
        report({ level: "low", score: 9, gate: { ...gate, conclusion: "failure" } }),
      ),
    ).toBe("Low risk (score 9/100): telemetry unavailable and the gate fails closed");
    expect(
      checkMessages.reportTitle(
        report({ gate: { ...gate, tripped: false, conclusion: "neutral" } }),
      ),
    ).toBe("High risk (score 61/100): production telemetry unavailable");
    expect(
      checkMessages.reportTitle(
        report({
          gate: { ...gate, override: { by: "alice", reason: "x" }, conclusion: "success" },
        }),
      ),
    ).toBe("High risk (score 61/100): overridden by alice");
  });

  it("keeps hostile config errors inside their code block", () => {
    const error = '.github/faultline.yml:2: gate.failOn: must be one of low|high (got "````x")';
    const summary = checkMessages.invalidConfig.summary(error, ".github/faultline.yml");
    expect(summary).toContain(`\`\`\`\`\`text\n${error}\n\`\`\`\`\``);
  });
});
