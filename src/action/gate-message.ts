import type { Report } from "../report/types.ts";

/** One line on the gate's verdict; the job's failure message when it trips. */
export function gateMessage(report: Report): string {
  const { gate } = report;
  const top = report.functions[0];
  const where = top ? ` Riskiest: ${top.fn.name} (${top.fn.file}:${top.fn.startLine}).` : "";
  const risk = `${report.level} risk (score ${Math.round(report.score)}/100)`;
  if (gate.failOn === "never") return `Faultline: ${risk}; the gate is off (fail-on: never).`;
  if (gate.override) {
    return `Faultline: ${risk} reaches fail-on ${gate.failOn}, overridden by ${gate.override.by}: ${gate.override.reason}`;
  }
  if (gate.conclusion === "neutral") {
    return `Faultline: ${risk}; gate neutral: without telemetry production risk is unknown (gate.failClosed: true fails instead).`;
  }
  if (gate.conclusion === "failure") {
    return `Faultline: ${risk} reaches fail-on ${gate.failOn}.${where} See the job summary; a reviewer can add the override label to merge anyway.`;
  }
  return `Faultline: ${risk} is below fail-on ${gate.failOn}.`;
}
