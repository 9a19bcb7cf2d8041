/**
 * The demo, as a recipe: a real service under load sends real OpenTelemetry traffic to
 * Faultline's OTLP receiver; a PR changes two functions; Faultline analyses it, writes the
 * comment, scenarios and verdict, and the scenarios run against base and PR.
 */
import { join } from "node:path";
import { createDemoRepo, openPullRequest } from "./create-demo-repo.ts";
import { generateLoad } from "./load-generator.ts";
import { prepareOutputDir } from "./prepare-output-dir.ts";
import type { ProcessGroup } from "./process-group.ts";
import { startCollector } from "./start-collector.ts";
import { startService } from "./start-service.ts";

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
  requests: number;
}

/** The business date every request carries, so the demo's outcomes never depend on the calendar. */
const BUSINESS_DATE = "2026-11-25";

export async function runDemo(options: DemoOptions, group: ProcessGroup): Promise<DemoResult> {
  const { log, outDir } = options;
  const step = (n: number, text: string): void => log(`\n[${n}/6] ${text}`);

  step(1, "Creating the demo repository (the shop service) and its deployed commit");
  await prepareOutputDir(outDir);
  const repo = await createDemoRepo({
    projectRoot: options.projectRoot,
    dir: join(outDir, "repo"),
  });
  log(`      ${repo.dir} @ ${repo.deployedSha.slice(0, 12)} (service.version)`);

  step(2, "Starting Faultline's OTLP receiver on embedded ClickHouse (chDB)");
  const collector = await startCollector({
    group,
    projectRoot: options.projectRoot,
    dataDir: join(outDir, "telemetry"),
  });
  log(`      listening on ${collector.endpoint}, data in ${join(outDir, "telemetry")}`);

  step(3, `Running the shop under load for ${options.seconds}s (real OTel SDK → OTLP/protobuf)`);
  const service = await startService({
    group,
    repoDir: repo.dir,
    deployedSha: repo.deployedSha,
    otlpEndpoint: collector.endpoint,
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
  });
  log(
    `      done: ${load.sent} requests (ok ${load.ok} · 4xx ${load.clientErrors} · 5xx ${load.serverErrors})`,
  );
  await group.stop(service.process);
  await group.stop(collector.process, 30_000);
  log("      service stopped (spans flushed), receiver stopped (queue flushed)");

  step(4, "Opening the PR: one risky change, one harmless change");
  const head = await openPullRequest(repo);
  log(`      ${repo.deployedSha.slice(0, 7)}..${head.slice(0, 7)} on branch simplify-discounts`);

  return { reportPath: join(outDir, "report.md"), requests: load.sent };
}
