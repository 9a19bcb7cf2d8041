import { describe, expect, it } from "vitest";
import { configSchema, defaultConfig } from "../../src/config.ts";

describe("config schema", () => {
  it("gives every field a default, so an empty file is valid", () => {
    const config = defaultConfig();
    expect(config.gate.failOn).toBe("high");
    expect(config.window.days).toBe(14);
    expect(config.telemetry.tracesTable).toBe("otel_traces");
  });

  it("rejects unordered thresholds and unknown keys, naming the path", () => {
    const result = configSchema.safeParse({ risk: { thresholds: { medium: 90 } }, gat: {} });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join(".")) ?? [];
    expect(paths).toContain("risk.thresholds");
    expect(result.error?.issues.some((issue) => issue.code === "unrecognized_keys")).toBe(true);
  });
});
