import type { Config } from "../config.ts";
import { RISK_LEVELS, type RiskLevel } from "./types.ts";

/** The level a score falls in: thresholds are the lowest score of each level. */
export function levelForScore(score: number, thresholds: Config["risk"]["thresholds"]): RiskLevel {
  if (score >= thresholds.critical) return "critical";
  if (score >= thresholds.high) return "high";
  if (score >= thresholds.medium) return "medium";
  return "low";
}

/** Position of a level, low = 0: for comparisons such as "at or above the gate". */
export const levelRank = (level: RiskLevel): number => RISK_LEVELS.indexOf(level);
