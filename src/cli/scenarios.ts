/**
 * `faultline scenarios`: regression test files for the functions a change touches, built
 * from the inputs production sent them (captured and redacted by `faultline/instrument`).
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { isAbsolute, relative, resolve } from "node:path";
import type { Command } from "commander";
import { INPUT_SAMPLES_PER_FUNCTION } from "../analyze.ts";
import { collectChanges } from "../code/collect-changes.ts";
import type { Config } from "../config.ts";
import { TelemetryUnavailableError, UsageError } from "../errors.ts";
import { loadConfigFile } from "../load-config.ts";
import { buildScenarios } from "../scenarios/build-scenarios.ts";
import type { Scenario, TestFramework } from "../scenarios/types.ts";
import { sourceFrameLocator } from "../source-frame-locator.ts";
import { openTelemetryStore } from "../telemetry/open-store.ts";
import {
  addConfigOption,
  addLocalChangeOptions,
  configPathOf,
  type LocalChangeFlags,
  openLocalChange,
} from "./local-change-options.ts";
import { addStoreOptions, type StoreFlags, storeOptionsFrom } from "./store-options.ts";

interface ScenariosOptions extends StoreFlags, LocalChangeFlags {
  out: string;
  framework?: string;
}

export function registerScenarios(program: Command): void {
  const command = addLocalChangeOptions(
    program
      .command("scenarios")
      .description(
        "Write regression tests for the changed functions from the inputs production sent them.",
      ),
  ).requiredOption("--out <dir>", "directory to write the test files to");
  addConfigOption(addStoreOptions(command))
    .option("--framework <name>", "vitest or jest (default: scenarios.framework of the config)")
    .addHelpText(
      "after",
      `
Inputs come from spans written by faultline/instrument (redacted at capture, and again
here). One file per function that can be imported; the others are listed with the reason.
Import paths are relative from --out to the repository files.

Example:
  faultline scenarios --repo . --base origin/main --head HEAD --db .faultline --out faultline-scenarios`,
    )
    .action(async (options: ScenariosOptions) => {
      await scenariosCommand(options);
    });
}

async function scenariosCommand(options: ScenariosOptions): Promise<void> {
  const framework = frameworkOf(options.framework);
  const selection = storeOptionsFrom(options);
  const repoDir = resolve(options.repo);
  const outDir = resolve(options.out);
  const loaded = await loadConfigFile(configPathOf(options));
  const config: Config = framework
    ? { ...loaded, scenarios: { ...loaded.scenarios, framework } }
    : loaded;
  if (!config.scenarios.enabled) {
    process.stdout.write("scenarios are disabled (scenarios.enabled: false): nothing written\n");
    return;
  }
  const source = await openLocalChange(options);
  const changes = await collectChanges(source, { ignore: config.ignore, callers: false });
  const functions = changes.functions.filter((f) => f.change !== "removed");
  if (functions.length === 0) {
    process.stdout.write("no changed functions: nothing written\n");
    return;
  }

  if (!selection.clickhouse && !selection.dataDir && !existsSync(".faultline")) {
    throw new UsageError(
      "no telemetry store: pass --db DIR (embedded) or --clickhouse URL (or set FAULTLINE_CLICKHOUSE_URL)",
    );
  }
  if (selection.dataDir && !existsSync(selection.dataDir)) {
    throw new UsageError(
      `no telemetry store at ${selection.dataDir}: create one with "faultline db init" or "faultline collect"`,
    );
  }
  const locator = sourceFrameLocator(source);
  let store: Awaited<ReturnType<typeof openTelemetryStore>>;
  try {
    store = await openTelemetryStore({ config, locator, ...selection });
  } catch (error) {
    throw new TelemetryUnavailableError(
      `cannot open the telemetry store: ${(error as Error).message}`,
    );
  }
  let samples: Awaited<ReturnType<typeof store.inputSamples>>;
  try {
    const to = new Date();
    const from = new Date(to.getTime() - config.window.days * 24 * 60 * 60 * 1000);
    samples = await store.inputSamples({
      functions: functions.map((f) => ({ file: f.file, name: f.name })),
      window: { from, to },
      limitPerFunction: INPUT_SAMPLES_PER_FUNCTION,
    });
  } finally {
    await store.close();
  }

  const sources = new Map<string, string>();
  for (const file of new Set(functions.map((f) => f.file))) {
    const text = await source.readFile(source.head, file);
    if (text !== null) sources.set(file, text);
  }
  const scenarios = buildScenarios({
    functions,
    samples,
    config: config.scenarios,
    moduleInfo: moduleLayout(repoDir, outDir, sources),
  });
  await writeScenarios(outDir, scenarios);
  process.stdout.write(
    summary(scenarios, functions.length, options.out, config.scenarios.maxFunctions),
  );
}

function frameworkOf(value: string | undefined): TestFramework | undefined {
  if (value === undefined) return undefined;
  if (value === "vitest" || value === "jest") return value;
  throw new UsageError(`--framework ${value}: use vitest or jest`);
}

/** Repo-relative output directory when --out is inside the repository, absolute paths otherwise. */
function moduleLayout(repoDir: string, outDir: string, sources: Map<string, string>) {
  const inside = relative(repoDir, outDir);
  if (inside !== "" && !inside.startsWith("..") && !isAbsolute(inside)) {
    return { outDir: inside, repoRoot: ".", sources };
  }
  return { outDir, repoRoot: repoDir, sources };
}

async function writeScenarios(outDir: string, scenarios: Scenario[]): Promise<void> {
  await mkdir(outDir, { recursive: true });
  for (const scenario of scenarios) {
    if (!scenario.code) continue;
    const target = resolve(outDir, scenario.fileName);
    // File names are built from repo paths; never write outside --out.
    if (relative(outDir, target).startsWith("..")) continue;
    await writeFile(target, scenario.code);
  }
}

function summary(
  scenarios: Scenario[],
  changed: number,
  out: string,
  maxFunctions: number,
): string {
  const runnable = scenarios.filter((s) => s.runnable);
  const cases = runnable.reduce((n, s) => n + s.cases.length, 0);
  const capped =
    scenarios.length >= maxFunctions ? ` (at most scenarios.maxFunctions: ${maxFunctions})` : "";
  const lines = [
    `${changed} changed function${changed === 1 ? "" : "s"}; scenarios for ${scenarios.length} with captured production inputs${capped}`,
    `wrote ${runnable.length} test file${runnable.length === 1 ? "" : "s"} (${cases} case${cases === 1 ? "" : "s"}) to ${out}`,
    ...runnable.map(
      (s) => `  ${s.fileName}  ${s.key.name} (${s.key.file}): ${s.cases.length} cases`,
    ),
  ];
  const skipped = scenarios.filter((s) => !s.runnable);
  if (skipped.length > 0) {
    lines.push("not runnable (captured inputs listed in the report instead):");
    for (const s of skipped) lines.push(`  ${s.key.name} (${s.key.file}): ${s.reason}`);
  }
  return `${lines.join("\n")}\n`;
}
