/**
 * Renders a `Report` for people (PR comment, check-run summary, Action job summary, CLI
 * Markdown) and machines (JSON). All user-visible wording lives in `templates/`.
 */
import { compileTemplate } from "./handlebars-env.ts";
import { loadTemplate, type TemplateName } from "./load-template.ts";
import { renderMessage } from "./render-message.ts";
import type { Report } from "./types.ts";
import {
  buildView,
  detailCandidates,
  FULL_VIEW,
  type ReportView,
  type ViewLimits,
} from "./view-model.ts";

export { type Annotation, riskyAnnotations } from "./risky-annotations.ts";

/** GitHub's limit for an issue comment body, in characters. */
export const GITHUB_BODY_LIMIT = 65_536;

/** The Checks API's limit for `output.summary` (one less than a comment's). */
export const CHECK_SUMMARY_LIMIT = 65_535;

/** When a report must be shortened, the table keeps at most this many (riskiest) rows. */
const TABLE_ROWS_WHEN_SHORTENED = 50;

export interface RenderOptions {
  /** Template source replacing the packaged one (from `templates.comment` in config). */
  template?: string;
  /** Character budget; defaults to GitHub's limit (65,536 for comments, 65,535 for check summaries). */
  maxLength?: number;
}

/**
 * The PR comment: headline, risk table, chart, details, scenarios, footer and the hidden
 * marker that lets the comment be updated in place.
 * @example await upsertComment({ ..., body: renderComment(report) })
 */
export function renderComment(report: Report, opts: RenderOptions = {}): string {
  return renderWithin(report, "comment.md.hbs", opts, FULL_VIEW);
}

/** The check-run (and Action job) summary: the headline, table and top factors. */
export function renderCheckSummary(report: Report, opts: RenderOptions = {}): string {
  return renderWithin(
    report,
    "check-summary.md.hbs",
    { maxLength: CHECK_SUMMARY_LIMIT, ...opts },
    {
      ...FULL_VIEW,
      details: 5,
      stacks: false,
      scenarioCode: false,
    },
  );
}

/** The report as stable, pretty-printed JSON (what `--format json` prints). */
export function reportToJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/**
 * Renders at full detail, then drops lower-risk detail until the text fits: scenario code
 * and stack traces first, then detail sections from the bottom, then table rows. The
 * reader is told what was left out.
 */
function renderWithin(
  report: Report,
  name: TemplateName,
  opts: RenderOptions,
  start: ViewLimits,
): string {
  const template = compileTemplate(opts.template ?? loadTemplate(name));
  const max = opts.maxLength ?? GITHUB_BODY_LIMIT;
  const render = (limits: ViewLimits, note: string | null): string => {
    const view: ReportView = { ...buildView(report, limits), truncated: note };
    return template(view);
  };
  const full = render(start, null);
  if (full.length <= max) return full;

  const total = report.functions.length;
  const candidates = detailCandidates(report);
  const hasStacks = report.functions.some((f) =>
    f.telemetry?.exceptions.some((e) => e.sampleStack.length > 0),
  );
  const hasScenarioCode = report.scenarios.some((s) => s.code !== null);
  const note = (limits: ViewLimits): string => {
    const parts: { kind: string; count?: number }[] = [];
    const rows = Math.max(0, Math.min(limits.rows, total));
    const details = Math.max(0, Math.min(limits.details, rows, candidates));
    const wanted = Math.min(start.details, candidates);
    if (details < wanted && rows > 0) parts.push({ kind: "details", count: wanted - details });
    if (rows < total) parts.push({ kind: "rows", count: total - rows });
    if (!limits.stacks && start.stacks && hasStacks) parts.push({ kind: "stacks" });
    if (!limits.scenarioCode && start.scenarioCode && hasScenarioCode) {
      parts.push({ kind: "scenario-code" });
    }
    return renderMessage("report-shortened", {
      kind: "shortened",
      limit: max.toLocaleString("en-US"),
      parts,
    });
  };
  const fits = (limits: ViewLimits): boolean => render(limits, note(limits)).length <= max;

  let limits: ViewLimits = { ...start, scenarioCode: false, stacks: false };
  // A long tail of low-risk rows is worth less than the riskiest functions' details.
  if (!fits(limits) && total > TABLE_ROWS_WHEN_SHORTENED) {
    limits = { ...limits, rows: TABLE_ROWS_WHEN_SHORTENED };
  }
  if (!fits(limits)) {
    const upper = Math.min(limits.details, limits.rows, candidates);
    limits = {
      ...limits,
      details: largestFitting(upper, (details) => fits({ ...limits, details })),
    };
  }
  if (!fits(limits)) {
    limits = { ...limits, details: 0 };
    const upper = Math.min(limits.rows, total);
    limits = { ...limits, rows: largestFitting(upper, (rows) => fits({ ...limits, rows })) };
  }
  const text = render(limits, note(limits));
  if (text.length <= max) return text;
  // Only a pathological template or notice list gets here: cut hard, keep the marker.
  const cut = `\n\n${renderMessage("report-shortened", { kind: "cut" })}\n`;
  return `${text.slice(0, max - cut.length)}${cut}`;
}

/** Largest n in [0, upper] with ok(n), assuming ok is monotone (fewer items → shorter). */
function largestFitting(upper: number, ok: (n: number) => boolean): number {
  let low = 0;
  let high = upper;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (ok(mid)) low = mid;
    else high = mid - 1;
  }
  return low;
}
