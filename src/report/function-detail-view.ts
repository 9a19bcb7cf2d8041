/** The collapsible "why" section of one changed function. */
import type { RiskFactorId } from "../risk/types.ts";
import type { AttributionMethod } from "../telemetry/types.ts";
import { compactStack } from "./compact-stack.ts";
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
import { compact, isoDate, isoMinute, LEVEL_EMOJI, shortSha } from "./format-figures.ts";
import { commitUrl } from "./github-links.ts";
import type { FunctionReport, Report } from "./types.ts";

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
    /** "sev2, imported" or "detected error spike": what kind of incident and how sure. */
    kind: string;
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

export function detailView(
  report: Report,
  f: FunctionReport,
  limits: { stacks: boolean },
): DetailView {
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
        stack:
          limits.stacks && e.sampleStack
            ? codeBlock(redact(compactStack(e.sampleStack)), "text", 12)
            : null,
      })),
    incidents: (t?.incidents ?? []).slice(0, 5).map((i) => {
      const url = safeUrl(i.url);
      const text = `${escapeMarkdown(redact(i.id), 40)}: ${telemetryText(i.title, 120)}`;
      return {
        title: url ? `[${text}](${url})` : text,
        severity: telemetryText(i.severity, 20),
        startedAt: isoMinute(i.startedAt),
        source: i.source === "detected" ? "detected error spike" : "imported",
        kind:
          i.source === "detected"
            ? "detected error spike"
            : `${telemetryText(i.severity, 20)}, imported`,
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
