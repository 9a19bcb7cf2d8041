import { renderMessage } from "../report/render-message.ts";
import type { Report } from "../report/types.ts";

/** One line on the gate's verdict; the job's failure message when it trips. */
export function gateMessage(report: Report): string {
  const { gate } = report;
  const top = report.functions[0]?.fn ?? null;
  const view = {
    level: report.level,
    score: Math.round(report.score),
    failOn: gate.failOn,
    by: gate.override?.by,
    reason: gate.override?.reason,
    top,
  };
  return renderMessage("action-gate", { kind: gateKind(gate), ...view });
}

function gateKind(gate: Report["gate"]): string {
  if (gate.failOn === "never") return "off";
  if (gate.override) return "overridden";
  if (gate.conclusion === "neutral") return "neutral";
  return gate.conclusion === "failure" ? "failure" : "below";
}
