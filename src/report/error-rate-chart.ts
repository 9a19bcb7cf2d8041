import type { HourlyPoint } from "../telemetry/types.ts";

/** At most this many points, so the chart stays legible and the comment small. */
const MAX_POINTS = 48;

/**
 * A Mermaid `xychart-beta` (GitHub renders it) of a function's error rate over time.
 * Hours are merged into equal buckets when there are too many. The title is passed in
 * already reduced to safe characters: Mermaid has no escaping for quotes.
 */
export function errorRateChart(hourly: readonly HourlyPoint[], title: string): string | null {
  const points = [...hourly].sort((a, b) => a.hour.localeCompare(b.hour));
  if (points.length < 2 || points.every((p) => p.calls === 0)) return null;
  const size = Math.ceil(points.length / MAX_POINTS);
  const buckets: { label: string; rate: number }[] = [];
  for (let i = 0; i < points.length; i += size) {
    const slice = points.slice(i, i + size);
    const calls = slice.reduce((sum, p) => sum + p.calls, 0);
    const errors = slice.reduce((sum, p) => sum + p.errors, 0);
    const first = slice[0]?.hour ?? "";
    buckets.push({
      label: mermaidSafe(`${first.slice(5, 10)} ${first.slice(11, 13)}h`),
      rate: calls > 0 ? Math.round((errors / calls) * 10_000) / 100 : 0,
    });
  }
  const max = Math.max(...buckets.map((b) => b.rate));
  const top = max <= 0 ? 1 : Math.ceil(max * 1.1 * 100) / 100;
  return [
    "```mermaid",
    "xychart-beta",
    `  title "${mermaidSafe(title)}"`,
    `  x-axis [${buckets.map((b) => `"${b.label}"`).join(", ")}]`,
    `  y-axis "Error rate (%)" 0 --> ${top}`,
    `  line [${buckets.map((b) => b.rate).join(", ")}]`,
    "```",
  ].join("\n");
}

/** Keeps identifier-ish characters only; Mermaid strings cannot escape quotes. */
export const mermaidSafe = (text: string): string =>
  text.replace(/[^A-Za-z0-9_$.:/ -]/g, "_").slice(0, 80);
