/**
 * `faultline analyze`: the whole analysis of a local change, printed as the PR comment
 * (Markdown) or the Report (JSON). Exit 1 when the gate trips, 2 on usage or config errors.
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import type { Command } from "commander";
import type { SourceProvider } from "../code/types.ts";
import type { Config } from "../config.ts";
import { UsageError } from "../errors.ts";
import { createLocalGitHistory } from "../history/local-git-history.ts";
import { loadConfigFile } from "../load-config.ts";
import { renderComment, reportToJson } from "../report/render.ts";
import type { RepoRef } from "../report/types.ts";
import { RISK_LEVELS, type RiskLevel } from "../risk/types.ts";
import { runAnalysis } from "../run-analysis.ts";
import { sourceFrameLocator } from "../source-frame-locator.ts";
import { openTelemetryStore } from "../telemetry/open-store.ts";
import type { TelemetryStore } from "../telemetry/types.ts";
import {
  addConfigOption,
  addLocalChangeOptions,
  configPathOf,
  type LocalChangeFlags,
  openLocalChange,
} from "./local-change-options.ts";
import {
  addStoreOptions,
  type StoreFlags,
  type StoreSelection,
  storeOptionsFrom,
} from "./store-options.ts";

const run = promisify(execFile);

interface AnalyzeOptions extends StoreFlags, LocalChangeFlags {
  format: string;
  out?: string;
  failOn?: string;
  quiet?: boolean;
}

export function registerAnalyze(program: Command): void {
  const command = addLocalChangeOptions(
    program
      .command("analyze")
      .description(
        "Analyse a change: the functions it touches, what production says about them, the risk.",
      ),
  );
  addConfigOption(addStoreOptions(command))
    .option("--format <format>", "markdown or json", "markdown")
    .option("--out <file>", "write the report to a file instead of stdout")
    .option("--fail-on <level>", "gate level: low, medium, high, critical or never")
    .option("--quiet", "no progress on stderr")
    .addHelpText(
      "after",
      `
The ClickHouse password comes from FAULTLINE_CLICKHOUSE_PASSWORD only. Without --db or
--clickhouse, ./.faultline is used when it exists. Without telemetry the report says so and the gate is neutral (gate.failClosed: true fails it).

Exit codes: 0 gate passed or neutral, 1 gate failed, 2 bad flags, repository or configuration.

Example:
  faultline analyze --repo . --base origin/main --head HEAD --db .faultline --format markdown`,
    )
    .action(async (options: AnalyzeOptions) => {
      const failed = await analyzeCommand(options);
      if (failed) process.exitCode = 1;
    });
}

/** Runs the command; resolves to true when the gate failed. */
async function analyzeCommand(options: AnalyzeOptions): Promise<boolean> {
  if (options.format !== "markdown" && options.format !== "json") {
    throw new UsageError(`--format ${options.format}: use markdown or json`);
  }
  const selection = storeOptionsFrom(options);
  const progress =
    process.stderr.isTTY && !options.quiet
      ? (message: string) => process.stderr.write(`faultline: ${message}\n`)
      : () => {};
  const repoDir = resolve(options.repo);
  const config = withFailOn(await loadConfigFile(configPathOf(options)), options.failOn);
  const source = await openLocalChange(options);

  progress("opening the telemetry store");
  const opened = await openStore(selection, config, source);
  try {
    const report = await runAnalysis({
      source,
      store: opened.store,
      history: createLocalGitHistory({ repo: repoDir, base: source.base }),
      config,
      repo: await githubRepoOf(repoDir),
      ...(opened.error ? { telemetryError: opened.error } : {}),
      configPath: options.config ?? ".github/faultline.yml",
      onProgress: progress,
    });
    const template = config.templates.comment
      ? await readTemplate(repoDir, config.templates.comment)
      : undefined;
    const text =
      options.format === "json"
        ? reportToJson(report)
        : renderComment(report, {
            // Not bound for GitHub: the terminal and files get everything.
            maxLength: Number.POSITIVE_INFINITY,
            ...(template ? { template } : {}),
          });
    if (options.out) await writeFile(options.out, text);
    else process.stdout.write(text);
    progress(`${report.level} risk (${report.score}), gate: ${report.gate.conclusion}`);
    return report.gate.conclusion === "failure";
  } finally {
    await opened.store?.close();
  }
}

function withFailOn(config: Config, failOn: string | undefined): Config {
  if (failOn === undefined) return config;
  if (failOn !== "never" && !RISK_LEVELS.includes(failOn as RiskLevel)) {
    throw new UsageError(`--fail-on ${failOn}: use one of ${RISK_LEVELS.join(", ")} or never`);
  }
  return { ...config, gate: { ...config.gate, failOn: failOn as Config["gate"]["failOn"] } };
}

/**
 * The store the flags ask for. Without any, `./.faultline` is used when it exists (an
 * empty new store would claim production never ran the code). An unreachable store is not
 * fatal: the report says telemetry is unavailable.
 */
async function openStore(
  selection: StoreSelection,
  config: Config,
  source: SourceProvider,
): Promise<{ store: TelemetryStore | null; error: string | null }> {
  if (!selection.clickhouse && !selection.dataDir && !existsSync(".faultline")) {
    return { store: null, error: "no store given (--db DIR or --clickhouse URL)" };
  }
  if (selection.dataDir && !existsSync(selection.dataDir)) {
    return {
      store: null,
      error: `no telemetry store at ${selection.dataDir} (create one with "faultline db init" or "faultline collect")`,
    };
  }
  const locator = sourceFrameLocator(source);
  try {
    return { store: await openTelemetryStore({ config, locator, ...selection }), error: null };
  } catch (error) {
    return { store: null, error: (error as Error).message };
  }
}

async function readTemplate(repoDir: string, path: string): Promise<string> {
  try {
    return await readFile(join(repoDir, path), "utf8");
  } catch {
    throw new UsageError(`templates.comment: cannot read ${path} in ${repoDir}`);
  }
}

/** owner/repo of the `origin` remote when it is on GitHub, for links to file and line. */
async function githubRepoOf(repoDir: string): Promise<RepoRef | null> {
  let url: string;
  try {
    url = (await run("git", ["remote", "get-url", "origin"], { cwd: repoDir })).stdout.trim();
  } catch {
    return null;
  }
  const match = /github\.com[/:]([^/\s]+)\/([^/\s]+?)(?:\.git)?\/?$/.exec(url);
  if (!match?.[1] || !match[2]) return null;
  return { owner: match[1], repo: match[2], serverUrl: "https://github.com", pullNumber: null };
}
