/**
 * The core: a change set plus what production and git say about it become one `Report`.
 * Pure in its decisions; every piece of I/O sits behind the store and history interfaces.
 * The GitHub App, the Action and the CLI all call this.
 */
import picomatch from "picomatch";
import type { ChangedFunction, ChangeSet } from "./code/types.ts";
import type { Config } from "./config.ts";
import type { FunctionHistory, HistoryProvider } from "./history/types.ts";
import { renderMessage } from "./report/render-message.ts";
import type { FunctionReport, RepoRef, Report } from "./report/types.ts";
import { assessRisk } from "./risk/assess-risk.ts";
import { decideGate } from "./risk/decide-gate.ts";
import { sortByRisk } from "./risk/sort-by-risk.ts";
import type { RiskLevel } from "./risk/types.ts";
import { buildScenarios, type ScenarioModuleInfo } from "./scenarios/build-scenarios.ts";
import type { Scenario } from "./scenarios/types.ts";
import {
  type FunctionTelemetry,
  functionKeyId,
  type TelemetryStore,
  type TelemetryWindow,
} from "./telemetry/types.ts";

export interface AnalyzeInput {
  changes: ChangeSet;
  /** Null: no telemetry configured (or it could not be opened: say why in `telemetryError`). */
  store: TelemetryStore | null;
  history: HistoryProvider | null;
  config: Config;
  repo: RepoRef | null;
  /** Clock for the window and recency weighting; tests pin it. */
  now?: Date;
  /** A label or `/faultline override` turns a failing gate into success. */
  override?: { by: string; reason: string } | null;
  /** Why the store could not be opened, when the caller tried and failed. */
  telemetryError?: string;
  /** Where the config came from, shown in the footer (default `.github/faultline.yml`). */
  configPath?: string;
  /** Head sources and output directory, so scenarios import the right module and method. */
  scenarioModules?: ScenarioModuleInfo;
}

/**
 * Analyses one change: telemetry → history → score → scenarios → sort → gate.
 * @example const report = await analyze({ changes, store, history, config, repo: null });
 */
export async function analyze(input: AnalyzeInput): Promise<Report> {
  const { changes, config } = input;
  const now = input.now ?? new Date();
  const window = telemetryWindow(now, config.window.days);
  const notices = [...changes.notices];

  const telemetry = await readTelemetry(input, window);
  notices.push(...telemetry.notices);

  const history = await readHistory(input.history, changes.functions);
  notices.push(...history.notices);

  const functions = sortByRisk(
    changes.functions.map((fn): FunctionReport => {
      const fnTelemetry = telemetry.byId.get(functionKeyId(fn)) ?? null;
      const fnHistory = history.byId.get(functionKeyId(fn)) ?? null;
      const risk = assessRisk({
        fn,
        telemetry: fnTelemetry,
        history: fnHistory,
        telemetryAvailable: telemetry.available,
        windowDays: config.window.days,
        now,
        risk: config.risk,
      });
      return { fn, telemetry: fnTelemetry, history: fnHistory, risk };
    }),
  );

  const scenarios = await buildReportScenarios(
    input,
    functions,
    window,
    telemetry.available,
    notices,
  );

  const riskiest = functions[0]?.risk;
  const level: RiskLevel = riskiest?.level ?? "low";
  return {
    base: changes.base,
    head: changes.head,
    repo: input.repo,
    generatedAt: now.toISOString(),
    window: {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      days: config.window.days,
    },
    level,
    score: riskiest?.score ?? 0,
    functions,
    skipped: changes.skipped,
    scenarios,
    gate: {
      ...decideGate({
        level,
        config,
        telemetryAvailable: telemetry.available,
        override: input.override ?? null,
      }),
      overrideLabel: config.gate.overrideLabel,
    },
    notices,
    withTraffic: functions.filter((f) => (f.telemetry?.current.calls ?? 0) > 0).length,
    telemetryAvailable: telemetry.available,
    configPath: input.configPath ?? ".github/faultline.yml",
  };
}

/** The current window ends now and spans `days`; the store compares it with the one before. */
function telemetryWindow(now: Date, days: number): TelemetryWindow {
  return { from: new Date(now.getTime() - days * 86_400_000), to: now };
}

interface TelemetryOutcome {
  byId: Map<string, FunctionTelemetry>;
  available: boolean;
  notices: string[];
}

async function readTelemetry(
  input: AnalyzeInput,
  window: TelemetryWindow,
): Promise<TelemetryOutcome> {
  const { store, changes, config } = input;
  const unavailable = (why: string, error?: string): TelemetryOutcome => ({
    byId: new Map(),
    available: false,
    notices: [
      renderMessage("report-notice", {
        kind: "telemetry-unavailable",
        why,
        error,
        failClosed: config.gate.failClosed,
      }),
    ],
  });
  if (!store) {
    return input.telemetryError
      ? unavailable("unavailable", input.telemetryError)
      : unavailable("no-store");
  }
  if (changes.functions.length === 0) return { byId: new Map(), available: true, notices: [] };
  try {
    const services = servicesFor(changes.functions, config.services);
    const result = await store.functionTelemetry({
      functions: changes.functions.map((fn) => ({ file: fn.file, name: fn.name })),
      window,
      ...(services.length > 0 ? { services } : {}),
    });
    return { byId: result.functions, available: true, notices: result.notices };
  } catch (error) {
    return unavailable("query-failed", (error as Error).message);
  }
}

/** Services whose configured path globs cover a changed file; empty means "all services". */
function servicesFor(
  functions: readonly ChangedFunction[],
  services: Config["services"],
): string[] {
  const found = new Set<string>();
  for (const entry of services) {
    const matches = picomatch(entry.paths, { dot: true });
    if (functions.some((fn) => matches(fn.file))) found.add(entry.service);
  }
  return [...found].sort();
}

async function readHistory(
  provider: HistoryProvider | null,
  functions: readonly ChangedFunction[],
): Promise<{ byId: Map<string, FunctionHistory>; notices: string[] }> {
  if (!provider || functions.length === 0) return { byId: new Map(), notices: [] };
  try {
    return { byId: await provider.forFunctions(functions), notices: [] };
  } catch (error) {
    return {
      byId: new Map(),
      notices: [
        renderMessage("report-notice", {
          kind: "history-unavailable",
          error: (error as Error).message,
        }),
      ],
    };
  }
}

/**
 * Captured calls read per function before scenario selection. The store returns the most
 * frequent distinct calls first, so a small limit (it was `maxPerFunction * 3`) kept only
 * the common successful inputs and cut rare exception types before selection could pick
 * them; a few hundred keeps the rare outcomes while the query stays cheap.
 */
export const INPUT_SAMPLES_PER_FUNCTION = 500;

/**
 * Regression scenarios from captured production inputs, riskiest functions first. Needs
 * the store; a failing sample query costs the scenarios, never the report.
 */
async function buildReportScenarios(
  input: AnalyzeInput,
  functions: readonly FunctionReport[],
  window: TelemetryWindow,
  telemetryAvailable: boolean,
  notices: string[],
): Promise<Scenario[]> {
  const { store, config } = input;
  if (!store || !telemetryAvailable || !config.scenarios.enabled) return [];
  const candidates = functions.map((f) => f.fn).filter((fn) => fn.change !== "removed");
  if (candidates.length === 0) return [];
  try {
    const services = servicesFor(candidates, config.services);
    const samples = await store.inputSamples({
      functions: candidates.map((fn) => ({ file: fn.file, name: fn.name })),
      window,
      ...(services.length > 0 ? { services } : {}),
      limitPerFunction: INPUT_SAMPLES_PER_FUNCTION,
    });
    return buildScenarios({
      functions: candidates,
      samples,
      config: config.scenarios,
      ...(input.scenarioModules ? { moduleInfo: input.scenarioModules } : {}),
    });
  } catch (error) {
    const message = (error as Error).message;
    notices.push(renderMessage("report-notice", { kind: "scenarios-skipped", error: message }));
    return [];
  }
}
