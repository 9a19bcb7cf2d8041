/** A regression scenario as the comment lists it. */
import type { Scenario } from "../scenarios/types.ts";
import {
  codeBlock,
  codeSpan,
  escapeMarkdown,
  redact,
  telemetryCode,
  telemetryText,
} from "./escape.ts";
import { compact } from "./format-figures.ts";

export interface ScenarioView {
  fn: string;
  fileName: string;
  runnable: boolean;
  reason: string;
  cases: number;
  samples: { args: string; outcome: string; seen: string }[];
  code: string | null;
}

export function scenarioView(s: Scenario, withCode: boolean): ScenarioView {
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
