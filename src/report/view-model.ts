/**
 * Turns a `Report` into the values templates place. Every string here is already escaped
 * for its Markdown/HTML context (and telemetry text redacted), so templates — ours and
 * users' overrides — insert them verbatim and cannot be injected into.
 */
import { COMMENT_MARKER } from "../github/upsert-comment.ts";
import { formatPercent } from "../risk/risk-factors.ts";
import type { RiskFactorId, RiskLevel } from "../risk/types.ts";
import type { Scenario } from "../scenarios/types.ts";
import type { AttributionMethod, FunctionTelemetry } from "../telemetry/types.ts";
import { errorRateChart } from "./error-rate-chart.ts";
import {
  codeBlock,
  codeSpan,
  escapeHtml,
  escapeMarkdown,
  redact,
  safeUrl,
  telemetryCode,
  telemetryText,
} from "./escape.ts";
import { dailyErrorRates, sparkline } from "./sparkline.ts";
import type { FunctionReport, Report } from "./types.ts";

/** How much of the report to show; `fitToLimit` lowers these until the text fits. */
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

const LEVEL_EMOJI: Record<RiskLevel, string> = {
  low: "🟢",
  medium: "🟡",
  high: "🟠",
  critical: "🔴",
};

const FACTOR_LABEL: Record<RiskFactorId, string> = {
  traffic: "Production traffic",
  errorRate: "Error rate",
  errorTrend: "Error trend",
  exceptions: "Exceptions",
  incidents: "Incidents",
  changeSize: "Change size",
  blastRadius: "Blast radius",
  churn: "Churn",
  fixHistory: "Fix and revert history",
  noTelemetry: "Production data missing",
};

const ATTRIBUTION: Record<AttributionMethod, string> = {
  "code-attributes": "spans carry `code.function.name` and `code.file.path` for this function",
  "stack-frame":
    "in-app frames of exception stack traces, at the deployed commit, fall inside this function",
  "learned-span-name":
    "spans without code attributes are counted because exception stacks show spans of that name run in this function (learned mapping)",
  "name-fallback":
    "stack-frame function names matched the end of this qualified name (least certain)",
};

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

export interface DetailView {
  summary: string;
  factors: { label: string; value: string; weight: string; points: string; detail: string }[];
  exceptions: {
    type: string;
    count: string;
    firstSeen: string;
    lastSeen: string;
    culprit: boolean;
    message: string;
    stack: string | null;
  }[];
  incidents: {
    title: string;
    severity: string;
    startedAt: string;
    source: string;
    evidence: string;
  }[];
  entrypoints: { name: string; calls: string }[];
  callers: { site: string; fn: string }[];
  moreCallers: number;
  commits: { sha: string; date: string; author: string; subject: string; tag: string }[];
  /** Empty for line-level history; says so when only file-level history was available. */
  historyScope: string;
  attribution: string[];
  services: string;
  versions: string;
  seen: boolean;
}

export interface ScenarioView {
  fn: string;
  fileName: string;
  runnable: boolean;
  reason: string;
  cases: number;
  samples: { args: string; outcome: string; seen: string }[];
  code: string | null;
}

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

const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

function ms(value: number | null): string {
  if (value === null) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10_000 ? 0 : 1)} s`;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} ms`;
}

const isoDate = (iso: string): string => escapeMarkdown(iso.slice(0, 10), 10);
const isoMinute = (iso: string): string =>
  escapeMarkdown(`${iso.slice(0, 16).replace("T", " ")} UTC`, 24);
const shortSha = (sha: string): string => (/^[0-9a-f]{7,64}$/i.test(sha) ? sha.slice(0, 7) : "");

function blobUrl(report: Report, f: FunctionReport): string | null {
  if (!report.repo) return null;
  const { serverUrl, owner, repo } = report.repo;
  const removed = f.fn.change === "removed";
  const sha = removed ? report.base : report.head;
  const path = removed && f.fn.base ? f.fn.base.file : f.fn.file;
  const encoded = path.split("/").map(encodeURIComponent).join("/");
  return safeUrl(
    `${serverUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/blob/${shortSha(sha) ? sha : "HEAD"}/${encoded}#L${f.fn.startLine}-L${f.fn.endLine}`,
  );
}

function commitUrl(report: Report, sha: string): string | null {
  if (!report.repo || !shortSha(sha)) return null;
  const { serverUrl, owner, repo } = report.repo;
  return safeUrl(
    `${serverUrl}/${encodeURIComponent(owner)}/${encodeURIComponent(repo)}/commit/${sha}`,
  );
}

function rowView(report: Report, f: FunctionReport): RowView {
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

function detailView(report: Report, f: FunctionReport, limits: ViewLimits): DetailView {
  const t = f.telemetry;
  const h = f.history;
  const summary = `${LEVEL_EMOJI[f.risk.level]} <code>${escapeHtml(f.fn.name)}</code> · ${f.risk.level} (${Math.round(f.risk.score)}) · ${escapeHtml(`${f.fn.file}:${f.fn.startLine}`)} · ${f.fn.change}`;
  const fixShas = new Set(h?.fixes.map((c) => c.sha));
  const revertShas = new Set(h?.reverts.map((c) => c.sha));
  const commits = [...(h?.recentCommits ?? [])];
  // Past fixes and reverts are the "similar past incidents": list them even if not recent.
  for (const c of [...(h?.fixes ?? []), ...(h?.reverts ?? [])]) {
    if (!commits.some((known) => known.sha === c.sha)) commits.push(c);
  }
  const callers = f.fn.callers.slice(0, 10);
  return {
    summary,
    factors: f.risk.factors
      .filter((factor) => factor.contribution > 0 || factor.id === "noTelemetry")
      .map((factor) => ({
        label: FACTOR_LABEL[factor.id],
        value: factor.value.toFixed(2),
        weight: String(factor.weight),
        points: factor.contribution.toFixed(1),
        detail: telemetryText(factor.detail, 160),
      })),
    exceptions: [...(t?.exceptions ?? [])]
      .sort((a, b) => b.count - a.count)
      .slice(0, 5)
      .map((e) => ({
        type: telemetryCode(e.type, { max: 80 }),
        count: compact.format(e.count),
        firstSeen: isoMinute(e.firstSeen),
        lastSeen: isoMinute(e.lastSeen),
        culprit: e.culprit,
        message: e.sampleMessage ? telemetryCode(e.sampleMessage, { max: 240 }) : "",
        stack: limits.stacks && e.sampleStack ? codeBlock(redact(e.sampleStack), "text", 12) : null,
      })),
    incidents: (t?.incidents ?? []).slice(0, 5).map((i) => {
      const url = safeUrl(i.url);
      const text = `${escapeMarkdown(redact(i.id), 40)}: ${telemetryText(i.title, 120)}`;
      return {
        title: url ? `[${text}](${url})` : text,
        severity: telemetryText(i.severity, 20),
        startedAt: isoMinute(i.startedAt),
        source: i.source === "detected" ? "detected error spike" : "imported",
        evidence: telemetryText(i.evidence, 160),
      };
    }),
    entrypoints: (t?.entrypoints ?? []).slice(0, 5).map((e) => ({
      name: telemetryCode(e.name, { max: 100 }),
      calls: compact.format(e.calls),
    })),
    callers: callers.map((c) => ({
      site: escapeMarkdown(`${c.file}:${c.line}`, 120),
      fn: codeSpan(c.function, { max: 80 }),
    })),
    moreCallers: f.fn.callers.length - callers.length,
    commits: commits.slice(0, 8).map((c) => {
      const url = commitUrl(report, c.sha);
      const sha = codeSpan(shortSha(c.sha) || "unknown");
      return {
        sha: url ? `[${sha}](${url})` : sha,
        date: isoDate(c.date),
        author: escapeMarkdown(c.author, 60),
        subject: escapeMarkdown(c.subject, 120),
        tag: revertShas.has(c.sha) ? " **revert**" : fixShas.has(c.sha) ? " **fix**" : "",
      };
    }),
    historyScope: h?.scope === "file" ? " (of the whole file: line history needs a clone)" : "",
    attribution: (t?.attribution ?? []).map((method) => ATTRIBUTION[method]),
    services: (t?.services ?? []).map((s) => telemetryCode(s, { max: 60 })).join(", "),
    versions: (t?.versions ?? [])
      .slice(0, 5)
      .map((v) => telemetryCode(v, { max: 40 }))
      .join(", "),
    seen: t !== null && t.current.calls + t.previous.calls > 0,
  };
}

function scenarioView(s: Scenario, withCode: boolean): ScenarioView {
  return {
    fn: `${codeSpan(s.key.name, { max: 80 })} in ${escapeMarkdown(s.key.file, 120)}`,
    fileName: codeSpan(s.fileName, { max: 160 }),
    runnable: s.runnable,
    reason: s.reason ? telemetryText(s.reason, 200) : "",
    cases: s.cases.length,
    samples: s.runnable
      ? []
      : s.samples.slice(0, 5).map((sample) => ({
          args: telemetryCode(sample.args, { max: 160 }),
          outcome:
            sample.outcome.kind === "return"
              ? `returned ${telemetryCode(sample.outcome.value, { max: 80 })}`
              : `threw ${telemetryCode(sample.outcome.type, { max: 60 })}`,
          seen: compact.format(sample.count),
        })),
    code:
      withCode && s.code
        ? codeBlock(redact(s.code), /\.[cm]?tsx?$/.test(s.fileName) ? "ts" : "js", 200)
        : null,
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

/** Builds the template values for a report at the given level of detail. */
export function buildView(report: Report, limits: ViewLimits = FULL_VIEW): ReportView {
  const rows = report.functions.slice(0, limits.rows);
  const details = report.functions.slice(0, Math.min(limits.details, rows.length));
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
    omittedDetails: report.functions.length - details.length,
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
