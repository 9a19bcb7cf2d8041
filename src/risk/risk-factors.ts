/**
 * The explainable risk factors. Each turns one raw figure into a signal in 0..1 and a
 * sentence with the figure itself; `assessRisk` multiplies by the configured weight.
 * The curves are deliberately simple (linear or log, with a saturation point) so a
 * reviewer can recompute a contribution from the sentence.
 */
import type { ChangedFunction } from "../code/types.ts";
import type { FunctionHistory } from "../history/types.ts";
import type { FunctionTelemetry, Incident } from "../telemetry/types.ts";
import type { RiskFactorId } from "./types.ts";

export interface FactorInput {
  fn: ChangedFunction;
  /** Null: production never saw the function (or telemetry is unavailable). */
  telemetry: FunctionTelemetry | null;
  history: FunctionHistory | null;
  /** False when the store was missing or failing: absence of data means nothing then. */
  telemetryAvailable: boolean;
  windowDays: number;
  now: Date;
}

export interface FactorSignal {
  id: RiskFactorId;
  value: number;
  detail: string;
}

/** Saturation points of the curves, named so the README can quote them. */
export const SATURATION = {
  /** Share of the service's calls at which traffic counts fully. */
  trafficShare: 0.2,
  /** Calls per day at which traffic counts fully (log scale from 1). */
  callsPerDay: 100_000,
  /** Error rate at which the error-rate factor counts fully. */
  errorRate: 0.05,
  /** Rise of the error rate (absolute, against the previous window) that counts fully. */
  errorRise: 0.02,
  /** Calls in a window below which error rates count proportionally less (2 of 3 failing is noise). */
  minCalls: 100,
  /** Exceptions in the window that count fully (log scale). */
  exceptions: 1_000,
  /** Incident weight decays with this half-life, in days. */
  incidentHalfLifeDays: 30,
  /** Lines of a function at which its size no longer discounts the change ratio. */
  functionLines: 60,
  /** In-repo callers of a changed signature that count fully (log scale). */
  callers: 100,
  /** Commits in 90 days that count fully. */
  churn: 10,
  /** Fixes (+2 per revert) that count fully. */
  fixes: 4,
} as const;

const clamp01 = (value: number): number =>
  Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;

const logScale = (value: number, full: number): number =>
  clamp01(Math.log10(1 + Math.max(0, value)) / Math.log10(1 + full));

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
export const formatCount = (value: number): string => integer.format(value);

export function formatPercent(rate: number): string {
  const percent = rate * 100;
  if (percent === 0) return "0%";
  if (percent < 0.1) return "<0.1%";
  return `${percent < 10 ? percent.toFixed(1) : percent.toFixed(0)}%`;
}

export function trafficFactor(input: FactorInput): FactorSignal {
  const t = input.telemetry;
  if (!t || t.current.calls === 0) {
    return { id: "traffic", value: 0, detail: "no production calls in the window" };
  }
  const perDay = t.current.calls / Math.max(1, input.windowDays);
  const byShare = clamp01(t.trafficShare / SATURATION.trafficShare);
  const byVolume = logScale(perDay, SATURATION.callsPerDay);
  return {
    id: "traffic",
    value: Math.max(byShare, byVolume),
    detail: `${formatCount(perDay)} calls/day, ${formatPercent(t.trafficShare)} of the service's calls`,
  };
}

/** 1 from `minCalls` calls up; proportionally less below, where a rate is mostly noise. */
const sampleConfidence = (calls: number): number => clamp01(calls / SATURATION.minCalls);

const fewCalls = (confidence: number): string =>
  confidence < 1 ? `; few calls, counted at ${Math.round(confidence * 100)}%` : "";

export function errorRateFactor(input: FactorInput): FactorSignal {
  const t = input.telemetry;
  if (!t || t.current.calls === 0) return { id: "errorRate", value: 0, detail: "no calls to fail" };
  const { errors, calls, errorRate } = t.current;
  const confidence = sampleConfidence(calls);
  return {
    id: "errorRate",
    value: clamp01(errorRate / SATURATION.errorRate) * confidence,
    detail: `${formatPercent(errorRate)} of calls fail (${formatCount(errors)} of ${formatCount(calls)})${fewCalls(confidence)}`,
  };
}

export function errorTrendFactor(input: FactorInput): FactorSignal {
  const t = input.telemetry;
  if (!t || t.current.calls === 0) return { id: "errorTrend", value: 0, detail: "no trend" };
  if (t.previous.calls === 0) {
    return { id: "errorTrend", value: 0, detail: "no calls in the previous window to compare" };
  }
  const rise = t.current.errorRate - t.previous.errorRate;
  const from = formatPercent(t.previous.errorRate);
  const to = formatPercent(t.current.errorRate);
  if (rise <= 0) {
    return {
      id: "errorTrend",
      value: 0,
      detail: rise < 0 ? `error rate down from ${from} to ${to}` : `error rate flat at ${to}`,
    };
  }
  const confidence = Math.min(
    sampleConfidence(t.current.calls),
    sampleConfidence(t.previous.calls),
  );
  return {
    id: "errorTrend",
    value: clamp01(rise / SATURATION.errorRise) * confidence,
    detail: `error rate up from ${from} to ${to}${fewCalls(confidence)}`,
  };
}

export function exceptionsFactor(input: FactorInput): FactorSignal {
  const exceptions = input.telemetry?.exceptions ?? [];
  const total = exceptions.reduce((sum, e) => sum + e.count, 0);
  if (total === 0) return { id: "exceptions", value: 0, detail: "no exceptions attributed" };
  const types = new Set(exceptions.map((e) => e.type)).size;
  // Variety adds a little: several failure modes are harder to reason about than one.
  const value = clamp01(logScale(total, SATURATION.exceptions) + 0.1 * (types - 1));
  const top = [...exceptions].sort((a, b) => b.count - a.count)[0];
  return {
    id: "exceptions",
    value,
    detail: `${formatCount(total)} exceptions of ${types} type${types === 1 ? "" : "s"}, most often ${top?.type ?? "unknown"}`,
  };
}

const severityWeight = (severity: string): number => {
  const s = severity.toLowerCase();
  if (/^(sev ?[01]|p[01]|critical)$/.test(s)) return 1;
  if (/^(sev ?2|p2|high|major)$/.test(s)) return 0.8;
  return 0.5;
};

export function incidentsFactor(input: FactorInput): FactorSignal {
  const incidents = input.telemetry?.incidents ?? [];
  if (incidents.length === 0) return { id: "incidents", value: 0, detail: "no linked incidents" };
  const ageDays = (incident: Incident): number =>
    Math.max(0, (input.now.getTime() - Date.parse(incident.startedAt)) / 86_400_000);
  const weight = incidents.reduce(
    (sum, incident) =>
      sum +
      severityWeight(incident.severity) *
        0.5 ** (ageDays(incident) / SATURATION.incidentHalfLifeDays),
    0,
  );
  const latest = Math.min(...incidents.map(ageDays));
  return {
    id: "incidents",
    value: clamp01(weight),
    detail: `${incidents.length} incident${incidents.length === 1 ? "" : "s"} on this code path, latest ${formatAge(latest)}`,
  };
}

function formatAge(days: number): string {
  if (!Number.isFinite(days)) return "at an unknown time";
  if (days < 1) return "today";
  const whole = Math.floor(days);
  return `${whole} day${whole === 1 ? "" : "s"} ago`;
}

export function changeSizeFactor(input: FactorInput): FactorSignal {
  const { fn } = input;
  const lines = Math.max(1, fn.endLine - fn.startLine + 1);
  const ratio = clamp01(fn.change === "modified" ? (fn.changeRatio ?? 1) : 1);
  // A one-line helper rewritten is less to review than a 60-line handler rewritten.
  const sizeFactor = clamp01(0.3 + (0.7 * lines) / SATURATION.functionLines);
  const what =
    fn.change === "added"
      ? "new function"
      : fn.change === "removed"
        ? "function removed"
        : `${Math.round(ratio * 100)}% of its own code changed`;
  return {
    id: "changeSize",
    value: clamp01(ratio * sizeFactor),
    detail: `${what} (${lines} line${lines === 1 ? "" : "s"})`,
  };
}

export function blastRadiusFactor(input: FactorInput): FactorSignal {
  const { fn } = input;
  const callers = fn.callers.length;
  const breaking = fn.signatureChanged || fn.change === "removed";
  if (!breaking) {
    return {
      id: "blastRadius",
      value: 0,
      detail: `signature unchanged${callers > 0 ? ` (${callers} caller${callers === 1 ? "" : "s"})` : ""}`,
    };
  }
  const what = fn.change === "removed" ? "removed" : "signature changed";
  if (callers === 0) {
    return fn.exported
      ? {
          id: "blastRadius",
          value: 0.3,
          detail: `${what} on an exported function: callers outside the repository may break`,
        }
      : { id: "blastRadius", value: 0, detail: `${what}, no callers in the repository` };
  }
  return {
    id: "blastRadius",
    value: clamp01(0.5 + 0.5 * logScale(callers, SATURATION.callers)),
    detail: `${what} while ${callers} call site${callers === 1 ? "" : "s"} in ${new Set(fn.callers.map((c) => c.file)).size} file(s) depend on it`,
  };
}

export function churnFactor(input: FactorInput): FactorSignal {
  const h = input.history;
  if (!h) return { id: "churn", value: 0, detail: "no git history available" };
  return {
    id: "churn",
    value: clamp01(h.churn90d / SATURATION.churn),
    detail: `${h.churn90d} commit${h.churn90d === 1 ? "" : "s"} in 90 days by ${h.authors.length} author${h.authors.length === 1 ? "" : "s"}`,
  };
}

export function fixHistoryFactor(input: FactorInput): FactorSignal {
  const h = input.history;
  if (!h || (h.fixes.length === 0 && h.reverts.length === 0)) {
    return { id: "fixHistory", value: 0, detail: "no past fixes or reverts" };
  }
  return {
    id: "fixHistory",
    value: clamp01((h.fixes.length + 2 * h.reverts.length) / SATURATION.fixes),
    detail: `${h.fixes.length} past fix${h.fixes.length === 1 ? "" : "es"} and ${h.reverts.length} revert${h.reverts.length === 1 ? "" : "s"} touched this function`,
  };
}

export function noTelemetryFactor(input: FactorInput): FactorSignal {
  const { fn, telemetry } = input;
  if (!input.telemetryAvailable) {
    return {
      id: "noTelemetry",
      value: 1,
      detail: "telemetry unavailable: production risk is unknown, not low",
    };
  }
  if (fn.change === "removed") {
    return { id: "noTelemetry", value: 0, detail: "removed: nothing will run in production" };
  }
  if (telemetry && telemetry.current.calls + telemetry.previous.calls > 0) {
    return { id: "noTelemetry", value: 0, detail: "seen in production" };
  }
  if (fn.change === "added") {
    return {
      id: "noTelemetry",
      value: 0.5,
      detail: "new code: production has not run it yet",
    };
  }
  return {
    id: "noTelemetry",
    value: 1,
    detail:
      "existing code never seen in production: uninstrumented, unattributed or dead — its risk is unknown",
  };
}

/** In the order the report lists them. */
export const FACTORS: readonly ((input: FactorInput) => FactorSignal)[] = [
  trafficFactor,
  errorRateFactor,
  errorTrendFactor,
  exceptionsFactor,
  incidentsFactor,
  changeSizeFactor,
  blastRadiusFactor,
  churnFactor,
  fixHistoryFactor,
  noTelemetryFactor,
];
