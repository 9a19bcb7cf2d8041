import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { gateMessage } from "../../../src/action/gate-message.ts";
import { writeReportFiles } from "../../../src/action/write-report-files.ts";
import { analyze } from "../../../src/analyze.ts";
import { defaultConfig } from "../../../src/config.ts";
import type { Report } from "../../../src/report/types.ts";
import type { Scenario } from "../../../src/scenarios/types.ts";
import { NOW, typicalInputs } from "../../fixtures/report/inputs.ts";

let dir: string;
let report: Report;

const scenario = (fileName: string, code: string | null): Scenario => ({
  key: { file: "src/pricing/discounts.js", name: "applyDiscount" },
  framework: "vitest",
  fileName,
  runnable: code !== null,
  reason: code === null ? "not exported" : null,
  cases: [],
  samples: [],
  code,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "faultline-action-out-"));
  report = await analyze({ ...typicalInputs(), config: defaultConfig(), repo: null, now: NOW });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("gateMessage", () => {
  it("names the level, the threshold and the riskiest function when the gate trips", () => {
    expect(report.gate.conclusion).toBe("failure");
    const top = report.functions[0]!.fn;
    expect(gateMessage(report)).toBe(
      `Faultline: ${report.level} risk (score ${Math.round(report.score)}/100) reaches fail-on high. Riskiest: ${top.name} (${top.file}:${top.startLine}). See the job summary; a reviewer can add the override label to merge anyway.`,
    );
  });

  it("says when an override or fail-on never let it pass", () => {
    const overridden: Report = {
      ...report,
      gate: {
        ...report.gate,
        conclusion: "success",
        override: { by: "label x", reason: "hotfix" },
      },
    };
    expect(gateMessage(overridden)).toMatch(/reaches fail-on high, overridden by label x: hotfix$/);
    const off: Report = { ...report, gate: { ...report.gate, failOn: "never", tripped: false } };
    expect(gateMessage(off)).toMatch(/the gate is off \(fail-on: never\)/);
  });
});

describe("writeReportFiles", () => {
  it("writes report.json and the runnable scenarios, replacing a previous run's files", async () => {
    const out = join(dir, "out");
    await writeReportFiles(report, out);
    await writeFile(join(out, "scenarios", "stale.test.js"), "old");
    const files = await writeReportFiles(
      {
        ...report,
        scenarios: [
          scenario("pricing/apply-discount.test.js", "test('x', () => {});\n"),
          scenario("not-runnable.test.js", null),
          scenario("../../escape.test.js", "evil"),
        ],
      },
      out,
    );
    expect(files.scenarioFiles).toEqual(["pricing/apply-discount.test.js"]);
    expect(await readdir(files.scenariosDir)).toEqual(["pricing"]);
    expect(await readFile(join(files.scenariosDir, "pricing/apply-discount.test.js"), "utf8")).toBe(
      "test('x', () => {});\n",
    );
    const json = JSON.parse(await readFile(files.reportJsonPath, "utf8")) as Report;
    expect(json.level).toBe(report.level);
    expect(json.functions).toHaveLength(report.functions.length);
    expect(await readdir(dir)).toEqual(["out"]);
  });
});
