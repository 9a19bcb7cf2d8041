/**
 * The short check-run titles and the summaries of runs that end without a report. The
 * wording lives in `templates/messages/check-run-{title,summary}.hbs`; this module decides
 * which message applies and hands the templates their values.
 */
import { renderMessage } from "../report/render-message.ts";
import type { Report } from "../report/types.ts";
import { levelRank } from "../risk/level-for-score.ts";

type View = Record<string, unknown>;

const title = (kind: string, view: View = {}): string =>
  renderMessage("check-run-title", { kind, ...view });
const summary = (kind: string, view: View = {}): string =>
  renderMessage("check-run-summary", { kind, ...view });
const titled = (kind: string, view: View = {}) => ({
  title: title(kind, view),
  summary: summary(kind, view),
});

export const checkMessages = {
  analysing: summary("analysing"),

  /** Title of a completed run with a report. */
  reportTitle(report: Report): string {
    const { gate } = report;
    const view = {
      level: report.level,
      score: Math.round(report.score),
      withTraffic: report.withTraffic,
      changed: report.functions.length,
      failOn: gate.failOn,
      by: gate.override?.by,
    };
    if (gate.override) return title("overridden", view);
    if (gate.conclusion === "failure") {
      const reached = gate.failOn !== "never" && levelRank(report.level) >= levelRank(gate.failOn);
      return title(reached ? "gate-reached" : "failed-closed", view);
    }
    if (gate.conclusion === "neutral") return title("no-telemetry", view);
    return title("report", view);
  },

  invalidConfig: {
    title: title("invalid-config"),
    summary: (error: string, source: string): string =>
      summary("invalid-config", { error, source }),
  },

  draft: titled("draft"),

  superseded: (newHead?: string) => titled("superseded", { newHead: newHead?.slice(0, 12) }),

  closed: titled("closed"),

  shutdown: titled("shutdown"),

  timedOut: (seconds: number, failClosed: boolean) => titled("timed-out", { seconds, failClosed }),

  crashed: (message: string, failClosed: boolean) =>
    titled("crashed", { error: message, failClosed }),
};
