/** Writes what a CI job or a reviewer would get: the comment, the JSON, the verdict, the tests. */
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { renderCheckSummary, renderComment, reportToJson } from "../../src/report/render.ts";
import type { Report } from "../../src/report/types.ts";

export interface DemoOutputs {
  comment: string;
  scenarioFiles: string[];
}

export async function writeOutputs(params: {
  outDir: string;
  /** Scenario files go here; their imports are relative to it. */
  scenariosDir: string;
  report: Report;
}): Promise<DemoOutputs> {
  const { outDir, scenariosDir, report } = params;
  const comment = renderComment(report);
  await writeFile(join(outDir, "report.md"), comment);
  await writeFile(join(outDir, "report.json"), reportToJson(report));
  await writeFile(
    join(outDir, "check.json"),
    `${JSON.stringify(
      {
        name: "Faultline",
        head_sha: report.head,
        conclusion: report.gate.conclusion,
        gate: report.gate,
        summary: renderCheckSummary(report),
      },
      null,
      2,
    )}\n`,
  );
  const scenarioFiles: string[] = [];
  for (const scenario of report.scenarios) {
    if (!scenario.runnable || scenario.code === null) continue;
    const path = join(scenariosDir, scenario.fileName);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, scenario.code);
    scenarioFiles.push(scenario.fileName);
  }
  return { comment, scenarioFiles };
}
