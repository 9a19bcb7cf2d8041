import type { Config } from "../config.ts";
import { levelForScore } from "./level-for-score.ts";
import { FACTORS, type FactorInput } from "./risk-factors.ts";
import type { RiskAssessment, RiskFactor } from "./types.ts";

export interface AssessRiskInput extends FactorInput {
  risk: Config["risk"];
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

/**
 * Scores one changed function: every factor's 0..1 value times its configured weight,
 * summed and capped at 100, then mapped to a level by the configured thresholds.
 * Pure and deterministic: the same inputs always give the same score.
 * @example assessRisk({ fn, telemetry, history, telemetryAvailable: true, windowDays: 14, now, risk: config.risk })
 */
export function assessRisk(input: AssessRiskInput): RiskAssessment {
  const factors: RiskFactor[] = FACTORS.map((factor) => {
    const signal = factor(input);
    const value = round2(signal.value);
    const weight = input.risk.weights[signal.id];
    return { ...signal, value, weight, contribution: round2(value * weight) };
  });
  const total = factors.reduce((sum, factor) => sum + factor.contribution, 0);
  const score = Math.round(Math.min(100, total) * 10) / 10;
  return { score, level: levelForScore(score, input.risk.thresholds), factors };
}
