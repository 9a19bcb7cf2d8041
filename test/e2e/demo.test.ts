/**
 * `npm run demo` end to end, with the load shortened to a few seconds: a real service
 * under real OTel SDK load, the real OTLP receiver on chDB, the real analysis, and the
 * generated scenarios run by vitest against base and PR. Guards the README's main command.
 */
import { execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prepareOutputDir } from "../../examples/demo/prepare-output-dir.ts";

const projectRoot = fileURLToPath(new URL("../..", import.meta.url));

interface DemoRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** About 12 s on an idle 2-core machine; the bound leaves room for a busy CI runner. */
function runDemo(outDir: string): Promise<DemoRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "examples/demo.ts", "--seconds", "4", "--rate", "60", "--out", outDir],
      {
        cwd: projectRoot,
        timeout: 150_000,
        maxBuffer: 32 * 1024 * 1024,
        env: { ...process.env, CI: "true" },
      },
      (error, stdout, stderr) =>
        resolve({
          code: error ? (typeof error.code === "number" ? error.code : 1) : 0,
          stdout,
          stderr,
          ms: Date.now() - started,
        }),
    );
  });
}

/** Processes whose command line or working directory points into `dir`. */
async function processesUsing(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    const cwd = await readlink(`/proc/${entry}/cwd`).catch(() => "");
    if (cmdline.includes(dir) || cwd.startsWith(dir)) {
      found.push(`${entry}: ${cmdline.replaceAll("\0", " ")}`);
    }
  }
  return found;
}

describe("npm run demo", () => {
  let outDir: string;
  let run: DemoRun;

  beforeAll(async () => {
    outDir = join(await mkdtemp(join(tmpdir(), "faultline-demo-e2e-")), "out");
    run = await runDemo(outDir);
  }, 160_000);

  afterAll(async () => {
    if (outDir) await rm(join(outDir, ".."), { recursive: true, force: true });
  });

  it("completes and leaves no process running", async () => {
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(await processesUsing(outDir)).toEqual([]);
  });

  it("writes a report whose headline names the risky function at high or critical", async () => {
    const markdown = await readFile(join(outDir, "report.md"), "utf8");
    const lines = markdown.split("\n");
    const headline = lines.find((line) => line.startsWith("## ")) ?? "";
    expect(headline).toMatch(/Faultline: (high|critical) risk/);
    // The riskiest row of the table, right under the headline, is the risky function.
    const firstRow = lines[lines.findIndex((line) => line.startsWith("|:--")) + 1] ?? "";
    expect(firstRow).toContain("`redeemDiscount`");
    expect(firstRow).toMatch(/\b(high|critical)\b/);
    // The terminal shows the same comment.
    expect(run.stdout).toContain(
      markdown
        .split("\n")
        .find((l) => l.trim() !== "")!
        .trim(),
    );
  });

  it("scores the risky change high or critical and the harmless one low", async () => {
    const report = JSON.parse(await readFile(join(outDir, "report.json"), "utf8")) as {
      level: string;
      functions: { fn: { file: string; name: string }; risk: { level: string; score: number } }[];
      gate: { conclusion: string };
    };
    const risky = report.functions.find((f) => f.fn.name === "redeemDiscount");
    expect(risky?.risk.level).toMatch(/^(high|critical)$/);
    expect(report.functions[0]?.fn.name).toBe("redeemDiscount");
    const harmless = report.functions.filter((f) => f.fn.file === "src/inventory.js");
    expect(harmless.length).toBeGreaterThan(0);
    for (const f of harmless) expect(f.risk.level, f.fn.name).toBe("low");
    expect(report.gate.conclusion).toBe("failure");
    const check = JSON.parse(await readFile(join(outDir, "check.json"), "utf8")) as {
      conclusion: string;
    };
    expect(check.conclusion).toBe("failure");
  });

  it("writes scenarios that pass on base and catch the risky change on the PR", async () => {
    const scenarioFiles = await readdir(join(outDir, "repo/faultline-scenarios"));
    expect(scenarioFiles.some((f) => /redeemDiscount/.test(f))).toBe(true);
    const results = JSON.parse(await readFile(join(outDir, "scenario-runs.json"), "utf8")) as {
      base: { passed: number; failed: number; byFile: Record<string, { failed: number }> };
      pr: { passed: number; failed: number; byFile: Record<string, { failed: number }> };
    };
    expect(results.base.failed).toBe(0);
    expect(results.base.passed).toBeGreaterThan(0);
    const riskyFile = Object.keys(results.pr.byFile).find((f) => /redeemDiscount/.test(f));
    expect(riskyFile).toBeDefined();
    expect(results.pr.byFile[riskyFile!]!.failed).toBeGreaterThan(0);
    // The harmless refactor keeps behaviour: its scenarios (and any others) still pass.
    for (const [file, result] of Object.entries(results.pr.byFile)) {
      if (file !== riskyFile) expect(result.failed, file).toBe(0);
    }
    expect(existsSync(join(outDir, "repo/.git"))).toBe(true);
  });
});

describe("npm run demo, interrupted", () => {
  it("stops every process it started on Ctrl-C (SIGINT) during the load", async () => {
    const parent = await mkdtemp(join(tmpdir(), "faultline-demo-int-"));
    const outDir = join(parent, "out");
    try {
      const child = spawn(
        process.execPath,
        ["--import", "tsx", "examples/demo.ts", "--seconds", "30", "--out", outDir],
        { cwd: projectRoot, stdio: ["ignore", "pipe", "pipe"] },
      );
      let stdout = "";
      const underLoad = new Promise<void>((resolve) => {
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk.toString("utf8");
          // A progress line: the service and the receiver are both running now.
          if (/\d+s\s+\d+ requests/.test(stdout)) resolve();
        });
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      await Promise.race([underLoad, exited]);
      expect(await processesUsing(outDir), stdout).not.toEqual([]);
      child.kill("SIGINT");
      expect(await exited).toBe(130);
      expect(await processesUsing(outDir)).toEqual([]);
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }, 120_000);
});

describe("re-running the demo", () => {
  it("replaces its own previous output, and never a directory it did not create", async () => {
    const parent = await mkdtemp(join(tmpdir(), "faultline-demo-rerun-"));
    try {
      const own = join(parent, "own");
      await prepareOutputDir(own);
      await mkdir(join(own, "repo/.git"), { recursive: true });
      await writeFile(join(own, "report.md"), "old");
      await prepareOutputDir(own);
      expect((await readdir(own)).filter((f) => f !== ".faultline-demo")).toEqual([]);

      const foreign = join(parent, "foreign");
      await mkdir(foreign);
      await writeFile(join(foreign, "notes.txt"), "keep me");
      await expect(prepareOutputDir(foreign)).rejects.toThrow(/not created by the demo/);
      expect(await readFile(join(foreign, "notes.txt"), "utf8")).toBe("keep me");
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  });
});
