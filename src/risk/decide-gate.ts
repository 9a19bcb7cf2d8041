import type { Config } from "../config.ts";
import type { GateVerdict } from "../report/types.ts";
import { levelRank } from "./level-for-score.ts";
import type { RiskLevel } from "./types.ts";

export interface GateInput {
  level: RiskLevel;
  config: Config;
  telemetryAvailable: boolean;
  override: { by: string; reason: string } | null;
}

/**
 * The check's conclusion. Tripped = the level reaches `gate.failOn`. Without telemetry the
 * verdict is neutral (production risk is unknown, so we cannot judge) unless the gate fails
 * closed (`gate.failClosed`), which fails it. An override turns a failure into success and
 * is recorded.
 */
export function decideGate({
  level,
  config,
  telemetryAvailable,
  override,
}: GateInput): GateVerdict {
  const { failOn, failClosed } = config.gate;
  const tripped =
    failOn !== "never" && (telemetryAvailable ? levelRank(level) >= levelRank(failOn) : failClosed);
  const neutral = !telemetryAvailable && !failClosed;
  const overridden = tripped && override !== null;
  return {
    failOn,
    tripped,
    override: overridden ? override : null,
    conclusion: neutral ? "neutral" : tripped && !overridden ? "failure" : "success",
  };
}
