import { levelRank } from "../risk/level-for-score.ts";
import { redact } from "./escape.ts";
import { renderMessage } from "./render-message.ts";
import type { Report } from "./types.ts";

/** One check-run annotation (the shape of the Checks API `output.annotations[]`). */
export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
}

/** The Checks API accepts at most 50 annotations per request. */
const MAX_ANNOTATIONS = 50;

/**
 * Annotations for changed functions at medium risk or above, riskiest first: `failure`
 * where the level reaches the gate, `warning` for high, `notice` otherwise. Removed
 * functions have no head lines to annotate and are left out. Annotations are plain text,
 * so telemetry is redacted but not Markdown-escaped.
 */
export function riskyAnnotations(report: Report): Annotation[] {
  const { failOn } = report.gate;
  return report.functions
    .filter((f) => f.fn.change !== "removed" && levelRank(f.risk.level) >= levelRank("medium"))
    .slice(0, MAX_ANNOTATIONS)
    .map((f) => {
      const level = f.risk.level;
      const gated = failOn !== "never" && levelRank(level) >= levelRank(failOn);
      const top = [...f.risk.factors]
        .filter((factor) => factor.contribution > 0)
        .sort((a, b) => b.contribution - a.contribution)
        .slice(0, 4);
      return {
        path: f.fn.file,
        start_line: f.fn.startLine,
        end_line: f.fn.endLine,
        annotation_level: gated ? "failure" : level === "medium" ? "notice" : "warning",
        title: renderMessage("report-annotation", {
          kind: "title",
          level,
          score: Math.round(f.risk.score),
          name: f.fn.name,
        }).slice(0, 255),
        message: top
          .map((factor) =>
            renderMessage("report-annotation", {
              kind: "factor",
              id: factor.id,
              contribution: factor.contribution.toFixed(1),
              detail: redact(factor.detail),
            }),
          )
          .join("\n")
          .slice(0, 4000),
      };
    });
}
