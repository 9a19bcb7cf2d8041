/**
 * How well scenarios generated from real captured traffic guard behaviour. The sample
 * service's traffic is captured through `faultline/instrument`; scenarios are generated
 * for every function it exercised; then each seeded mutation (behaviour change) and each
 * refactor (behaviour kept) is applied in turn and the scenarios are run with vitest in a
 * child process. Targets: >= 80% of mutations caught, 0 refactors failed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { extractFunctions } from "../src/code/extract-functions.ts";
import type { ChangedFunction } from "../src/code/types.ts";
import { defaultConfig } from "../src/config.ts";
import { buildScenarios } from "../src/scenarios/build-scenarios.ts";
import { captureTraffic, SERVICE_MODULES } from "../test/fixtures/scenarios/capture-traffic.ts";
import {
  applyEdit,
  MUTATIONS,
  REFACTORS,
  type SourceEdit,
} from "../test/fixtures/scenarios/edits.ts";
import { runVitest, type VitestRun } from "../test/fixtures/scenarios/run-vitest.ts";
import { createSampleRepo } from "../test/fixtures/scenarios/sample-repo.ts";

const started = Date.now();
const repo = await createSampleRepo();
try {
  await repo.git("checkout", "-q", repo.base);
  const samples = await captureTraffic(repo.dir);
  const sources = new Map<string, string>();
  const functions: ChangedFunction[] = SERVICE_MODULES.flatMap((file) => {
    const source = readFileSync(join(repo.dir, file), "utf8");
    sources.set(file, source);
    return extractFunctions(source, file).map((fn) => ({
      file,
      name: fn.name,
      change: "modified" as const,
      startLine: fn.startLine,
      endLine: fn.endLine,
      signatureChanged: false,
      callers: [],
      exported: fn.exported,
    }));
  });
  const scenarios = buildScenarios({
    functions,
    samples,
    config: { ...defaultConfig().scenarios, maxFunctions: 200 },
    moduleInfo: { outDir: "faultline-scenarios", sources },
  });
  mkdirSync(join(repo.dir, "faultline-scenarios"), { recursive: true });
  for (const s of scenarios)
    if (s.code) writeFileSync(join(repo.dir, "faultline-scenarios", s.fileName), s.code);
  const runnable = scenarios.filter((s) => s.runnable);
  const cases = runnable.reduce((n, s) => n + s.cases.length, 0);
  out(
    `captured ${samples.reduce((n, s) => n + s.count, 0)} calls (${samples.length} distinct) of ${new Set(samples.map((s) => s.key.name)).size} functions; ` +
      `${runnable.length} scenario files, ${cases} cases; not runnable: ${scenarios
        .filter((s) => !s.runnable)
        .map((s) => `${s.key.name} (${s.reason})`)
        .join(", ")}`,
  );

  const baseline = await runVitest(repo.dir);
  out(`base commit: ${baseline.passed} passed, ${baseline.failed} failed`);

  const trial = async (edit: SourceEdit): Promise<VitestRun> => {
    await repo.git("checkout", "-q", repo.base, "--", "src");
    applyEdit(repo.dir, edit);
    const run = await runVitest(repo.dir);
    await repo.git("checkout", "-q", repo.base, "--", "src");
    return run;
  };

  out("\nmutations (behaviour changes) — should fail:");
  let caught = 0;
  for (const mutation of MUTATIONS) {
    const run = await trial(mutation);
    const hit = run.failed > 0;
    if (hit) caught += 1;
    out(
      `  ${hit ? "caught" : "MISSED"}  ${mutation.id.padEnd(4)} ${mutation.fn.padEnd(15)} ${mutation.description}${hit ? ` (${run.failed} failing)` : ""}`,
    );
  }
  out("\nrefactors (behaviour kept) — should pass:");
  let wronglyFailed = 0;
  for (const refactor of REFACTORS) {
    const run = await trial(refactor);
    if (run.failed > 0) wronglyFailed += 1;
    out(
      `  ${run.failed > 0 ? "FAILED" : "passed"}  ${refactor.id.padEnd(4)} ${refactor.fn.padEnd(15)} ${refactor.description}`,
    );
  }
  const rate = caught / MUTATIONS.length;
  out(
    `\nmutations caught: ${caught}/${MUTATIONS.length} (${(rate * 100).toFixed(0)}%, target >= 80%)` +
      `\nrefactors wrongly failed: ${wronglyFailed}/${REFACTORS.length} (target 0)` +
      `\nbase commit clean: ${baseline.failed === 0 ? "yes" : "NO"}; ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
  if (rate < 0.8 || wronglyFailed > 0 || baseline.failed > 0) process.exitCode = 1;
} finally {
  repo.remove();
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}
