/** One row of the comment's table of changed functions. */
import { formatPercent } from "../risk/risk-factors.ts";
import type { RiskLevel } from "../risk/types.ts";
import type { FunctionTelemetry } from "../telemetry/types.ts";
import { codeSpan, escapeMarkdown, telemetryCode } from "./escape.ts";
import { compact, LEVEL_EMOJI, ms } from "./format-figures.ts";
import { blobUrl } from "./github-links.ts";
import { dailyErrorRates, sparkline } from "./sparkline.ts";
import type { FunctionReport, Report } from "./types.ts";

export interface RowView {
  emoji: string;
  level: RiskLevel;
  score: string;
  fn: string;
  location: string;
  callsPerDay: string;
  errorRate: string;
  p95: string;
  trend: string;
  topException: string;
  incidents: string;
  owners: string;
}

export function rowView(report: Report, f: FunctionReport): RowView {
  const t = f.telemetry;
  const url = blobUrl(report, f);
  const name = codeSpan(f.fn.name, { table: true, max: 80 });
  const seen = t !== null && t.current.calls > 0;
  const exceptions = [...(t?.exceptions ?? [])].sort((a, b) => b.count - a.count);
  const top = exceptions[0];
  const owners = f.owners ?? f.history?.authors.slice(0, 2) ?? [];
  return {
    emoji: LEVEL_EMOJI[f.risk.level],
    level: f.risk.level,
    score: String(Math.round(f.risk.score)),
    fn: url ? `[${name}](${url})` : name,
    location: escapeMarkdown(`${f.fn.file}:${f.fn.startLine}`, 120),
    callsPerDay: seen ? compact.format(t.current.calls / Math.max(1, report.window.days)) : "–",
    errorRate: seen ? formatPercent(t.current.errorRate) : "–",
    p95: seen ? ms(t.current.p95Ms) : "–",
    trend: t ? trendCell(t) : "–",
    topException: top
      ? `${telemetryCode(top.type, { table: true, max: 60 })} ×${compact.format(top.count)}`
      : "–",
    incidents: t && t.incidents.length > 0 ? String(t.incidents.length) : "–",
    owners: owners.length > 0 ? owners.map((o) => escapeMarkdown(o, 40)).join(", ") : "–",
  };
}

function trendCell(t: FunctionTelemetry): string {
  const arrow = { rising: " ↑", falling: " ↓", flat: " →", new: " new", none: "" }[t.trend];
  const line = sparkline(dailyErrorRates(t.hourly));
  return line || arrow ? `${line}${arrow}`.trim() : "–";
}
