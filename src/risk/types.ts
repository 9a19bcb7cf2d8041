export type RiskLevel = "low" | "medium" | "high" | "critical";

export const RISK_LEVELS: readonly RiskLevel[] = ["low", "medium", "high", "critical"];

/** Ids of the explainable factors; config weights are keyed by these. */
export type RiskFactorId =
  | "traffic"
  | "errorRate"
  | "errorTrend"
  | "exceptions"
  | "incidents"
  | "changeSize"
  | "blastRadius"
  | "churn"
  | "fixHistory"
  | "noTelemetry";

export interface RiskFactor {
  id: RiskFactorId;
  /** Normalised signal, 0..1. */
  value: number;
  weight: number;
  /** value * weight, in score points. */
  contribution: number;
  /** Human explanation with the raw figure ("1.8% of calls fail, up from 0.2%"). */
  detail: string;
}

export interface RiskAssessment {
  score: number; // 0..100
  level: RiskLevel;
  factors: RiskFactor[];
}
