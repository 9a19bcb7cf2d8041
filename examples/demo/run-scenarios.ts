/**
 * Runs the generated scenario files with vitest in a child process against whatever the
 * demo repository has checked out, and reads vitest's own JSON report.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { basename, dirname, join } from "node:path";
import type { ProcessGroup } from "./process-group.ts";

export interface ScenarioRun {
  passed: number;
  failed: number;
  /** Per scenario file name. */
  byFile: Record<string, { passed: number; failed: number; failures: string[] }>;
}

interface VitestJson {
  testResults: {
    name: string;
    assertionResults: { status: string; fullName: string; failureMessages: string[] }[];
  }[];
}

export async function runScenarios(params: {
  group: ProcessGroup;
  scenariosDir: string;
  reportFile: string;
}): Promise<ScenarioRun> {
  const vitest = join(
    dirname(createRequire(import.meta.url).resolve("vitest/package.json")),
    "vitest.mjs",
  );
  // An explicit config: otherwise vitest would find (and obey) a config in a parent directory.
  const configFile = join(dirname(params.reportFile), "vitest.config.mjs");
  await mkdir(dirname(configFile), { recursive: true });
  await writeFile(
    configFile,
    // truncateThreshold 0: failures show whole values ("discountCents: 5500 … 3000").
    'export default { test: { include: ["**/*.test.{js,mjs,cjs,ts}"], watch: false, chaiConfig: { truncateThreshold: 0 } } };\n',
  );
  const child = params.group.start(
    "vitest (scenarios)",
    process.execPath,
    [
      vitest,
      "run",
      "--root",
      params.scenariosDir,
      "--config",
      configFile,
      "--reporter=json",
      `--outputFile=${params.reportFile}`,
      "--pool=forks",
      "--maxWorkers=1",
    ],
    { cwd: params.scenariosDir, env: { ...process.env, CI: "true", NO_COLOR: "1" } },
  );
  const code = await child.exited;
  const json = await readFile(params.reportFile, "utf8").catch(() => null);
  if (json === null) {
    throw new Error(`vitest exited with code ${code} and wrote no report:\n${child.output()}`);
  }
  const report = JSON.parse(json) as VitestJson;
  const run: ScenarioRun = { passed: 0, failed: 0, byFile: {} };
  for (const file of report.testResults) {
    const entry = { passed: 0, failed: 0, failures: [] as string[] };
    for (const test of file.assertionResults) {
      if (test.status === "passed") entry.passed++;
      else if (test.status === "failed") {
        entry.failed++;
        entry.failures.push(`${test.fullName}: ${firstLine(test.failureMessages[0] ?? "")}`);
      }
    }
    // A file that failed to load has no assertions but is a failure all the same.
    if (file.assertionResults.length === 0) {
      entry.failed++;
      entry.failures.push("the file could not run");
    }
    run.byFile[basename(file.name)] = entry;
    run.passed += entry.passed;
    run.failed += entry.failed;
  }
  return run;
}

const firstLine = (text: string): string => text.split("\n")[0]?.slice(0, 400) ?? "";
