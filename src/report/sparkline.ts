import type { HourlyPoint } from "../telemetry/types.ts";

const BLOCKS = "▁▂▃▄▅▆▇█";

/** Unicode-block sparkline of a series, scaled to its own maximum (all zero: a flat floor). */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return "";
  const max = Math.max(...values);
  return values
    .map((value) => {
      if (max <= 0 || value <= 0) return BLOCKS[0];
      const index = Math.min(BLOCKS.length - 1, Math.ceil((value / max) * (BLOCKS.length - 1)));
      return BLOCKS[index];
    })
    .join("");
}

/** Error rate per UTC day, oldest first: the series behind the table's trend column. */
export function dailyErrorRates(hourly: readonly HourlyPoint[]): number[] {
  const days = new Map<string, { calls: number; errors: number }>();
  for (const point of hourly) {
    const day = point.hour.slice(0, 10);
    const bucket = days.get(day) ?? { calls: 0, errors: 0 };
    bucket.calls += point.calls;
    bucket.errors += point.errors;
    days.set(day, bucket);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, b]) => (b.calls > 0 ? b.errors / b.calls : 0));
}
