import type { ChangedFunction, SkippedFile } from "../code/types.ts";
import type { FunctionHistory } from "../history/types.ts";
import type { RiskAssessment, RiskLevel } from "../risk/types.ts";
import type { Scenario } from "../scenarios/types.ts";
import type { FunctionTelemetry } from "../telemetry/types.ts";

/** Where the report's links point (file at head SHA). Absent for local runs without a remote. */
export interface RepoRef {
  owner: string;
  repo: string;
  /** e.g. https://github.com */
  serverUrl: string;
  pullNumber: number | null;
}

export interface FunctionReport {
  fn: ChangedFunction;
  telemetry: FunctionTelemetry | null;
  history: FunctionHistory | null;
  risk: RiskAssessment;
  /** Who owns the code (CODEOWNERS at base), when known. */
  owners?: string[];
}

export interface GateVerdict {
  /** Level at or above which the gate fails; `never` disables it. */
  failOn: RiskLevel | "never";
  tripped: boolean;
  /** Set when a label or `/faultline override` turned a failure into success. */
  override: { by: string; reason: string } | null;
  conclusion: "success" | "neutral" | "failure";
  /** The PR label that overrides a failure (`gate.overrideLabel`), for the footer. */
  overrideLabel?: string;
}

/** The single source for the PR comment, the check run, the Action summary and the CLI output. */
export interface Report {
  base: string;
  head: string;
  repo: RepoRef | null;
  generatedAt: string; // ISO
  window: { from: string; to: string; days: number };
  /** Overall = the riskiest function's assessment. */
  level: RiskLevel;
  score: number;
  /** Sorted by risk, highest first. */
  functions: FunctionReport[];
  skipped: SkippedFile[];
  scenarios: Scenario[];
  gate: GateVerdict;
  /** Visible caveats: partial analysis, telemetry unavailable, rollup missing, ... */
  notices: string[];
  /** How many changed functions carry production traffic. */
  withTraffic: number;
  /** False when the store was missing or failing (then `withTraffic` means nothing). */
  telemetryAvailable?: boolean;
  /** Where the configuration was read from (e.g. `.github/faultline.yml`), for the footer. */
  configPath?: string;
}

/** Where a rendered report goes: PR comment + check run, Action summary, or stdout. */
export interface Publisher {
  publish(report: Report): Promise<void>;
}
