/**
 * Turns a `Report` into the values templates place. Every string here is already escaped
 * for its Markdown/HTML context (and telemetry text redacted), so templates — ours and
 * users' overrides — insert them verbatim and cannot be injected into.
 */
import { COMMENT_MARKER } from "../github/upsert-comment.ts";
import type { RiskLevel } from "../risk/types.ts";
import { errorRateChart } from "./error-rate-chart.ts";
import { codeSpan, escapeMarkdown, telemetryText } from "./escape.ts";
import { isoMinute, LEVEL_EMOJI, shortSha } from "./format-figures.ts";
import { type DetailView, detailView } from "./function-detail-view.ts";
import { type RowView, rowView } from "./function-row-view.ts";
import { type ScenarioView, scenarioView } from "./scenario-view.ts";
import type { Report } from "./types.ts";

export type { DetailView, RowView, ScenarioView };

/** How much of the report to show; rendering lowers these until the text fits. */
export interface ViewLimits {
  /** Table rows shown (riskiest first). */
  rows: number;
  /** Collapsible detail sections shown (riskiest first). */
  details: number;
  /** Include scenario code blocks (otherwise only their list). */
  scenarioCode: boolean;
  /** Include exception stack traces inside details. */
  stacks: boolean;
}

export const FULL_VIEW: ViewLimits = {
  rows: Number.POSITIVE_INFINITY,
  details: Number.POSITIVE_INFINITY,
  scenarioCode: true,
  stacks: true,
};

export interface ReportView {
  marker: string;
  emoji: string;
  level: RiskLevel;
  score: string;
  headline: string;
  gate: string;
  notices: string[];
  hasFunctions: boolean;
  rows: RowView[];
  omittedRows: number;
  chart: { title: string; mermaid: string } | null;
  details: DetailView[];
  omittedDetails: number;
  scenarios: ScenarioView[];
  scenarioCount: number;
  skipped: { file: string; reason: string }[];
  truncated: string | null;
  footer: {
    overrideLabel: string;
    configPath: string;
    base: string;
    head: string;
    window: string;
    generatedAt: string;
  };
}

function headline(report: Report): string {
  const total = report.functions.length;
  if (total === 0) return "This change touches no JavaScript or TypeScript functions.";
  if (report.telemetryAvailable === false) {
    return `**${total}** changed function${total === 1 ? "" : "s"}; production telemetry was unavailable, so none can be judged by its traffic.`;
  }
  const noun = total === 1 ? "changed function carries" : "changed functions carry";
  return `**${report.withTraffic} of ${total}** ${noun} production traffic (last ${report.window.days} days).`;
}

function gateLine(report: Report): string {
  const { gate } = report;
  const label = codeSpan(gate.overrideLabel ?? "faultline:override");
  if (gate.override) {
    return `✅ Gate overridden by ${escapeMarkdown(gate.override.by, 60)}: ${escapeMarkdown(gate.override.reason, 200)}`;
  }
  if (gate.conclusion === "neutral") {
    return "⚪ Gate neutral: without telemetry the risk cannot be judged (set `gate.failClosed: true` to fail instead).";
  }
  if (gate.failOn === "never") return "Gate disabled (`gate.failOn: never`).";
  if (gate.conclusion === "failure") {
    return `❌ Gate failed: ${report.functions.length > 0 ? `risk is **${report.level}**, at or above` : "telemetry unavailable and"} \`gate.failOn: ${gate.failOn}\`. To merge anyway, add the label ${label} or comment \`/faultline override <reason>\`.`;
  }
  return `✅ Gate passed (fails at **${gate.failOn}** risk or above).`;
}

/**
 * How many functions get a "why" section: every medium-or-higher one, and the riskiest
 * even when it is low, so the reader sees why nothing stands out. They are a prefix of the
 * functions, which are sorted by score.
 */
export function detailCandidates(report: Report): number {
  const risky = report.functions.filter((f) => f.risk.level !== "low").length;
  return Math.min(report.functions.length, Math.max(1, risky));
}

/** Builds the template values for a report at the given level of detail. */
export function buildView(report: Report, limits: ViewLimits = FULL_VIEW): ReportView {
  const rows = report.functions.slice(0, limits.rows);
  const details = report.functions.slice(
    0,
    Math.min(limits.details, rows.length, detailCandidates(report)),
  );
  const charted = report.functions.find((f) => f.telemetry?.hourly.some((p) => p.calls > 0));
  const mermaid = charted?.telemetry
    ? errorRateChart(charted.telemetry.hourly, `Hourly error rate: ${charted.fn.name}`)
    : null;
  return {
    marker: COMMENT_MARKER,
    emoji: LEVEL_EMOJI[report.level],
    level: report.level,
    score: String(Math.round(report.score)),
    headline: headline(report),
    gate: gateLine(report),
    notices: report.notices.map((n) => telemetryText(n, 400)),
    hasFunctions: report.functions.length > 0,
    rows: rows.map((f) => rowView(report, f)),
    omittedRows: report.functions.length - rows.length,
    chart: charted && mermaid ? { title: codeSpan(charted.fn.name, { max: 80 }), mermaid } : null,
    details: details.map((f) => detailView(report, f, limits)),
    omittedDetails: detailCandidates(report) - details.length,
    scenarios: report.scenarios.map((s) => scenarioView(s, limits.scenarioCode)),
    scenarioCount: report.scenarios.length,
    skipped: report.skipped.map((s) => ({
      file: escapeMarkdown(s.file, 160),
      reason: escapeMarkdown(s.reason, 160),
    })),
    truncated: null,
    footer: {
      overrideLabel: codeSpan(report.gate.overrideLabel ?? "faultline:override"),
      configPath: codeSpan(report.configPath ?? ".github/faultline.yml"),
      base: codeSpan(shortSha(report.base) || report.base.slice(0, 40)),
      head: codeSpan(shortSha(report.head) || report.head.slice(0, 40)),
      window: `${report.window.days} days`,
      generatedAt: isoMinute(report.generatedAt),
    },
  };
}
