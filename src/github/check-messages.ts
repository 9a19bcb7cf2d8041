/**
 * The short check-run titles and the summaries of runs that end without a report. The
 * report itself renders from `templates/`; these are one-liners about the run.
 */
import type { Report } from "../report/types.ts";
import { levelRank } from "../risk/level-for-score.ts";

const LEVEL = { low: "Low", medium: "Medium", high: "High", critical: "Critical" } as const;

export const checkMessages = {
  analysing: "Analysing the changed functions against production telemetry…",

  /** Title of a completed run with a report. */
  reportTitle(report: Report): string {
    const level = `${LEVEL[report.level]} risk (score ${Math.round(report.score)}/100)`;
    const changed = report.functions.length;
    const traffic = `${report.withTraffic} of ${changed} changed function${changed === 1 ? "" : "s"} carry production traffic`;
    if (report.gate.override) return `${level}: overridden by ${report.gate.override.by}`;
    if (report.gate.conclusion === "failure") {
      const { failOn } = report.gate;
      return failOn !== "never" && levelRank(report.level) >= levelRank(failOn)
        ? `${level} reaches the gate (${failOn}): ${traffic}`
        : `${level}: telemetry unavailable and the gate fails closed`;
    }
    if (report.gate.conclusion === "neutral") return `${level}: production telemetry unavailable`;
    return `${level}: ${traffic}`;
  },

  invalidConfig: {
    title: "Invalid .github/faultline.yml",
    summary: (error: string, source: string): string =>
      `Faultline could not read its configuration from \`${source}\`:\n\n${fenced(error)}\n\nFix the file on the default branch, then comment \`/faultline rerun\` on this pull request.`,
  },

  draft: {
    title: "Draft pull request: not analysed",
    summary:
      "Faultline skips draft pull requests. Mark it ready for review, or set `drafts: true` in `.github/faultline.yml`.",
  },

  superseded: (newHead?: string) => ({
    title: "Superseded by a newer push",
    summary: newHead
      ? `The pull request head moved to \`${newHead.slice(0, 12)}\`; that commit is analysed instead.`
      : "A newer push arrived while this commit was being analysed; the newer commit is analysed instead.",
  }),

  closed: {
    title: "Pull request closed: not analysed",
    summary: "The pull request was closed before the analysis started.",
  },

  shutdown: {
    title: "Interrupted: Faultline restarted",
    summary:
      "The app stopped before this analysis finished. Comment `/faultline rerun` to run it again.",
  },

  timedOut: (seconds: number, failClosed: boolean) => ({
    title: `Analysis timed out after ${seconds} s`,
    summary: `Faultline did not finish within ${seconds} s (FAULTLINE_ANALYSIS_TIMEOUT_MS). ${
      failClosed
        ? "The gate fails closed, so this check fails."
        : "Production risk is unknown, not low; the check is neutral."
    } Comment \`/faultline rerun\` to try again.`,
  }),

  crashed: (message: string, failClosed: boolean) => ({
    title: "Faultline could not finish the analysis",
    summary: `The analysis stopped with an error:\n\n${fenced(message)}\n\n${
      failClosed
        ? "The gate fails closed, so this check fails."
        : "Production risk is unknown, not low; the check is neutral."
    } Comment \`/faultline rerun\` to try again.`,
  }),
};

/** A code block whose fence no backtick run inside `text` can close. */
function fenced(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${fence}text\n${text}\n${fence}`;
}
