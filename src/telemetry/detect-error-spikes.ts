import type { HourlyPoint } from "./types.ts";

/** A run of consecutive hours whose errors stand far above the function's baseline. */
export interface ErrorSpike {
  startHour: string;
  /** Start of the hour after the last spiking hour. */
  endHour: string;
  errors: number;
  calls: number;
  /** Mean errors per active hour outside the spike. */
  baselineErrorsPerHour: number;
  baselineErrorRate: number;
}

export interface SpikeThresholds {
  /** An hour needs at least this many errors (default 5). */
  minErrors: number;
  /** ...and this many standard deviations above the baseline mean (default 4). */
  sigmas: number;
  /** ...and an error rate this many times the baseline rate (default 3). */
  rateFactor: number;
}

const DEFAULTS: SpikeThresholds = { minErrors: 5, sigmas: 4, rateFactor: 3 };

/**
 * Finds error spikes in an hourly series: hours well above the baseline formed by the other
 * hours with traffic, by count (mean + k·σ) and by rate. Adjacent spiking hours merge.
 */
export function detectErrorSpikes(
  series: readonly HourlyPoint[],
  thresholds: Partial<SpikeThresholds> = {},
): ErrorSpike[] {
  const { minErrors, sigmas, rateFactor } = { ...DEFAULTS, ...thresholds };
  const active = series.filter((p) => p.calls > 0);
  if (active.length < 6) return [];
  const candidates = new Set<string>();
  // Each hour is judged against all the others: the totals minus the hour itself.
  const all = totals(active);
  for (const point of active) {
    if (point.errors < minErrors) continue;
    const base = baselineOf({
      hours: all.hours - 1,
      calls: all.calls - point.calls,
      errors: all.errors - point.errors,
      squares: all.squares - point.errors ** 2,
    });
    const rate = point.errors / point.calls;
    if (
      point.errors >= base.mean + sigmas * base.sd &&
      rate >= rateFactor * Math.max(base.rate, 0.001)
    ) {
      candidates.add(point.hour);
    }
  }
  if (candidates.size === 0) return [];
  const spikes: ErrorSpike[] = [];
  const sorted = [...active].sort((a, b) => a.hour.localeCompare(b.hour));
  const outside = sorted.filter((p) => !candidates.has(p.hour));
  const base = baselineOf(totals(outside));
  let current: ErrorSpike | null = null;
  for (const point of sorted) {
    if (!candidates.has(point.hour)) continue;
    const endHour = new Date(Date.parse(point.hour) + 3_600_000).toISOString();
    if (current && current.endHour === point.hour) {
      current.endHour = endHour;
      current.errors += point.errors;
      current.calls += point.calls;
    } else {
      current = {
        startHour: point.hour,
        endHour,
        errors: point.errors,
        calls: point.calls,
        baselineErrorsPerHour: round(base.mean),
        baselineErrorRate: round(base.rate),
      };
      spikes.push(current);
    }
  }
  return spikes;
}

interface Totals {
  hours: number;
  calls: number;
  errors: number;
  /** Sum of squared errors per hour, for the variance. */
  squares: number;
}

function totals(points: readonly HourlyPoint[]): Totals {
  const t: Totals = { hours: points.length, calls: 0, errors: 0, squares: 0 };
  for (const p of points) {
    t.calls += p.calls;
    t.errors += p.errors;
    t.squares += p.errors ** 2;
  }
  return t;
}

function baselineOf(t: Totals): { mean: number; sd: number; rate: number } {
  if (t.hours <= 0) return { mean: 0, sd: 0, rate: 0 };
  const mean = t.errors / t.hours;
  // Integer sums are exact; clamp the rounding of large means at zero.
  const variance = Math.max(0, t.squares / t.hours - mean ** 2);
  return { mean, sd: Math.sqrt(variance), rate: t.calls === 0 ? 0 : t.errors / t.calls };
}

function round(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}
