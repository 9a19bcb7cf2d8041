import { describe, expect, it } from "vitest";
import { detectErrorSpikes } from "../../../src/telemetry/detect-error-spikes.ts";
import type { HourlyPoint } from "../../../src/telemetry/types.ts";

const start = Date.parse("2026-03-01T00:00:00Z");
const series = (errors: (h: number) => number, hours = 48): HourlyPoint[] =>
  Array.from({ length: hours }, (_, h) => ({
    hour: new Date(start + h * 3_600_000).toISOString(),
    calls: 100,
    errors: errors(h),
  }));

describe("detectErrorSpikes", () => {
  it("finds adjacent hours far above baseline and merges them", () => {
    const spikes = detectErrorSpikes(
      series((h) => (h === 30 || h === 31 ? 40 : h % 5 === 0 ? 2 : 1)),
    );
    expect(spikes).toEqual([
      {
        startHour: "2026-03-02T06:00:00.000Z",
        endHour: "2026-03-02T08:00:00.000Z",
        errors: 80,
        calls: 200,
        baselineErrorsPerHour: 1.1957, // 55 errors over the 46 other hours
        baselineErrorRate: 0.012,
      },
    ]);
  });

  it("ignores steady error rates, small counts and short series", () => {
    expect(detectErrorSpikes(series(() => 30))).toEqual([]);
    expect(detectErrorSpikes(series((h) => (h === 10 ? 4 : 0)))).toEqual([]);
    expect(detectErrorSpikes(series((h) => (h === 1 ? 50 : 0), 4))).toEqual([]);
  });
});
