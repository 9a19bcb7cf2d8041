/**
 * The demo, as a recipe: a real service under load sends real OpenTelemetry traffic to
 * Faultline's OTLP receiver; a PR changes two functions; Faultline analyses it, writes the
 * comment, scenarios and verdict, and the scenarios run against base and PR.
 */
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { defaultConfig } from "../../src/config.ts";
import type { Report } from "../../src/report/types.ts";
import { analysePullRequest } from "./analyse-pr.ts";
import {
  createDemoRepo,
  type DemoRepo,
  openPullRequest,
  PR_BRANCH,
  SCENARIOS_DIR,
} from "./create-demo-repo.ts";
import { git } from "./git.ts";
import { generateLoad } from "./load-generator.ts";
import { openDemoTelemetry } from "./open-demo-telemetry.ts";
import { pastIncidentsJson } from "./past-incidents.ts";
import { prepareOutputDir } from "./prepare-output-dir.ts";
import type { ProcessGroup } from "./process-group.ts";
import { runScenarios, type ScenarioRun } from "./run-scenarios.ts";
import { startService } from "./start-service.ts";
import { writeOutputs } from "./write-outputs.ts";

export interface DemoOptions {
  /** Faultline's checkout (the service's dependencies are linked from it). */
  projectRoot: string;
  outDir: string;
  /** How long the load runs. */
  seconds: number;
  ratePerSecond: number;
  seed: number;
  /** Where progress and results go (the terminal, or a test's buffer). */
  log: (line: string) => void;
  signal?: AbortSignal;
}

export interface DemoResult {
  reportPath: string;
  repoDir: string;
  requests: number;
  report: Report;
  scenarios: { base: ScenarioRun; pr: ScenarioRun } | null;
}

/** The business date every request carries, so the demo's outcomes never depend on the calendar. */
const BUSINESS_DATE = "2026-11-25";

export async function runDemo(options: DemoOptions, group: ProcessGroup): Promise<DemoResult> {
  const { log, outDir } = options;
  let requests = 0;
  const step = (n: number, text: string): void => log(`\n[${n}/6] ${text}`);

  step(1, "Creating the demo repository (the shop service) and its deployed commit");
  await prepareOutputDir(outDir);
  const repo = await createDemoRepo({
    projectRoot: options.projectRoot,
    dir: join(outDir, "repo"),
  });
  log(`      ${repo.dir} @ ${repo.deployedSha.slice(0, 12)} (service.version)`);

  step(2, "Starting Faultline's OTLP receiver on embedded ClickHouse (chDB)");
  const config = defaultConfig();
  const telemetry = await openDemoTelemetry({
    config,
    dataDir: join(outDir, "telemetry"),
    deployedSha: repo.deployedSha,
  });
  let report: Report;
  try {
    const endpoint = telemetry.receiver.url.replace(/\/$/, "");
    log(`      OTLP/HTTP on ${endpoint}, data in ${join(outDir, "telemetry")}`);

    step(3, `Running the shop under load for ${options.seconds}s (real OTel SDK → OTLP/protobuf)`);
    const service = await startService({
      group,
      repoDir: repo.dir,
      deployedSha: repo.deployedSha,
      otlpEndpoint: endpoint,
    });
    const load = await generateLoad({
      baseUrl: service.baseUrl,
      seconds: options.seconds,
      concurrency: 4,
      maxRequests: options.ratePerSecond * options.seconds,
      ratePerSecond: options.ratePerSecond,
      seed: options.seed,
      businessDate: BUSINESS_DATE,
      ...(options.signal ? { signal: options.signal } : {}),
      onProgress: (p) =>
        log(
          `      ${String(Math.round(p.elapsedMs / 1000)).padStart(3)}s  ${p.sent} requests  ok ${p.ok} · 4xx ${p.clientErrors} · 5xx ${p.serverErrors}`,
        ),
    }).catch((error: Error) => {
      throw new Error(
        `the shop stopped answering (${error.message}); its output:\n${service.process.output()}`,
      );
    });
    // Interrupted: unwind from here, so the embedded store below is closed before the exit.
    options.signal?.throwIfAborted();
    requests = load.sent;
    log(
      `      done: ${load.sent} requests (ok ${load.ok} · 4xx ${load.clientErrors} · 5xx ${load.serverErrors})`,
    );
    await group.stop(service.process);
    await telemetry.receiver.flush();
    const stats = telemetry.receiver.stats();
    log(`      service stopped; ${stats.acceptedSpans} spans received and stored`);

    const incidentsFile = join(outDir, "incidents.json");
    await writeFile(incidentsFile, pastIncidentsJson(new Date()));
    const incidents = await telemetry.importIncidents(
      await readFile(incidentsFile, "utf8"),
      incidentsFile,
    );
    log(
      `      imported ${incidents} past incident(s) from the incident tool's export (incidents.json)`,
    );

    step(4, "Opening the PR: one risky change, one harmless change");
    const head = await openPullRequest(repo);
    log(`      ${repo.deployedSha.slice(0, 7)}..${head.slice(0, 7)} on branch ${PR_BRANCH}`);

    step(5, "Analysing the PR: changed functions × production telemetry × git history");
    report = await analysePullRequest({
      repoDir: repo.dir,
      base: repo.deployedSha,
      head,
      config,
      store: telemetry.store,
      useSource: telemetry.useSource,
      onProgress: (message) => log(`      ${message}`),
    });
    options.signal?.throwIfAborted();
  } finally {
    await telemetry.close();
  }
  const scenariosDir = join(repo.dir, SCENARIOS_DIR);
  const outputs = await writeOutputs({ outDir, scenariosDir, report });
  log(`\n${"─".repeat(100)}\n${outputs.comment.trim()}\n${"─".repeat(100)}`);
  log(
    `      wrote ${["report.md", "report.json", "check.json", ...outputs.scenarioFiles.map((f) => relative(outDir, join(scenariosDir, f)))].join(", ")}`,
  );
  log(`      check run verdict: ${report.gate.conclusion} (gate fails at ${report.gate.failOn})`);

  step(6, "Running the generated scenarios against base and PR (vitest)");
  const runs = await runBothSides({
    group,
    outDir,
    repo,
    head: report.head,
    scenariosDir,
    log,
  });

  return {
    reportPath: join(outDir, "report.md"),
    repoDir: repo.dir,
    requests,
    report,
    scenarios: runs,
  };
}

/** Base must pass (the scenarios describe production); the PR should not (the risky change). */
async function runBothSides(params: {
  group: ProcessGroup;
  outDir: string;
  scenariosDir: string;
  repo: DemoRepo;
  head: string;
  log: (line: string) => void;
}): Promise<{ base: ScenarioRun; pr: ScenarioRun } | null> {
  const { group, outDir, repo, log, scenariosDir } = params;
  const hasScenarios = await readdir(scenariosDir).then(
    (files) => files.length > 0,
    () => false,
  );
  if (!hasScenarios) {
    log("      no runnable scenarios were generated (see the report's notices)");
    return null;
  }
  await git(repo.dir, ["checkout", "--quiet", repo.deployedSha]);
  const base = await runScenarios({
    group,
    scenariosDir,
    reportFile: join(outDir, "scenario-runs/base.json"),
  });
  await git(repo.dir, ["checkout", "--quiet", PR_BRANCH]);
  const pr = await runScenarios({
    group,
    scenariosDir,
    reportFile: join(outDir, "scenario-runs/pr.json"),
  });
  await writeFile(join(outDir, "scenario-runs.json"), `${JSON.stringify({ base, pr }, null, 2)}\n`);
  const line = (side: string, run: ScenarioRun): string =>
    `      ${side}: ${run.passed} passed, ${run.failed} failed`;
  log(line(`base ${repo.deployedSha.slice(0, 7)}`, base));
  log(line(`PR   ${params.head.slice(0, 7)}`, pr));
  for (const [file, result] of Object.entries(pr.byFile)) {
    if (result.failed === 0) continue;
    log(`      caught by ${file}:`);
    for (const failure of result.failures.slice(0, 5)) log(`        ✗ ${failure}`);
  }
  const caught = Object.values(pr.byFile).some((r) => r.failed > 0);
  log(
    base.failed === 0 && caught
      ? "      ✔ the scenarios pass on base and catch the risky change on the PR"
      : "      ✘ expected: all pass on base, some fail on the PR — see scenario-runs.json",
  );
  return { base, pr };
}
