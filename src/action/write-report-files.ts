import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, resolve } from "node:path";
import { reportToJson } from "../report/render.ts";
import type { Report } from "../report/types.ts";

export interface ReportFiles {
  reportJsonPath: string;
  scenariosDir: string;
  /** Scenario files written, relative to `scenariosDir`. */
  scenarioFiles: string[];
}

/**
 * Writes `report.json` and one test file per runnable scenario under `outputDir`
 * (emptied first, so a re-run leaves no stale scenarios behind).
 */
export async function writeReportFiles(report: Report, outputDir: string): Promise<ReportFiles> {
  const reportJsonPath = join(outputDir, "report.json");
  const scenariosDir = join(outputDir, "scenarios");
  await rm(outputDir, { recursive: true, force: true });
  await mkdir(scenariosDir, { recursive: true });
  await writeFile(reportJsonPath, reportToJson(report));
  const scenarioFiles: string[] = [];
  for (const scenario of report.scenarios) {
    if (!scenario.runnable || scenario.code === null) continue;
    const target = resolve(scenariosDir, scenario.fileName);
    // File names come from function names; never let one escape the directory.
    const inside = relative(scenariosDir, target);
    if (inside.startsWith("..") || inside === "") continue;
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, scenario.code);
    scenarioFiles.push(inside.split("\\").join("/"));
  }
  return { reportJsonPath, scenariosDir, scenarioFiles };
}
