import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import { openTelemetryStore } from "../../../src/telemetry/open-store.ts";
import { captureSpans } from "../../fixtures/scenarios/capture-traffic.ts";
import { runVitest } from "../../fixtures/scenarios/run-vitest.ts";
import { createSampleRepo, type SampleRepo } from "../../fixtures/scenarios/sample-repo.ts";
import { runFaultline } from "../../support/run-faultline.ts";
import { spanRow } from "../../support/telemetry-fixtures.ts";

const faultline = (cwd: string, ...args: string[]) => runFaultline(cwd, "scenarios", ...args);

let repo: SampleRepo;
let dataDir: string;

beforeAll(async () => {
  repo = await createSampleRepo();
  await repo.git("checkout", "-q", repo.base);
  const spans = await captureSpans(repo.dir);
  dataDir = mkdtempSync(join(tmpdir(), "faultline-scenarios-db-"));
  const store = await openTelemetryStore({ config: defaultConfig(), dataDir });
  try {
    await store.init();
    await store.connection.insert(
      "default.otel_traces",
      spans.map((span) =>
        spanRow({
          name: span.name,
          service: "shop",
          timestamp: new Date(span.startTime[0] * 1000 + span.startTime[1] / 1e6),
          resource: { "service.version": repo.base },
          attributes: Object.fromEntries(
            Object.entries(span.attributes).map(([k, v]) => [k, String(v)]),
          ),
          status: span.status.code === 2 ? "Error" : "Unset",
          scopeName: "faultline/instrument",
        }),
      ),
    );
  } finally {
    await store.close();
  }
});

afterAll(() => {
  repo?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("faultline scenarios", () => {
  it("writes runnable tests for the changed functions that pass on the base commit", async () => {
    const result = await faultline(
      repo.dir,
      "--base",
      repo.base,
      "--head",
      repo.head,
      "--db",
      dataDir,
      "--out",
      "faultline-scenarios",
    );
    expect(result.code).toBe(0);
    // 11 changed functions, scenarios for the default maxFunctions (10): one is not runnable.
    expect(result.stdout).toContain(
      "scenarios for 10 with captured production inputs (at most scenarios.maxFunctions: 10)",
    );
    expect(result.stdout).toContain("wrote 9 test files");
    expect(result.stdout).toMatch(/Cart\.count \(src\/pricing\.js\): instance method/);
    const files = readdirSync(join(repo.dir, "faultline-scenarios")).sort();
    expect(files).toContain("src__pricing.quote.test.js");
    expect(files).toContain("src__shipping.shippingCents.test.ts");
    expect(
      readFileSync(join(repo.dir, "faultline-scenarios", "src__pricing.quote.test.js"), "utf8"),
    ).toContain('import * as target from "../src/pricing.js";');
    const onBase = await runVitest(repo.dir);
    expect(onBase.failures).toEqual(new Map());
    expect(onBase.passed).toBeGreaterThan(30);
  });

  it("renders jest files with --framework jest", async () => {
    const out = mkdtempSync(join(tmpdir(), "faultline-scenarios-jest-"));
    try {
      const result = await faultline(
        repo.dir,
        "--base",
        repo.base,
        "--head",
        repo.head,
        "--db",
        dataDir,
        "--out",
        out,
        "--framework",
        "jest",
      );
      expect(result.code).toBe(0);
      const quote = readFileSync(join(out, "src__pricing.quote.test.js"), "utf8");
      const expected = relative(out, join(repo.dir, "src/pricing.js"));
      expect(quote).toContain(`const target = require(${JSON.stringify(expected)});`);
      expect(quote).not.toContain('from "vitest"');
      // Valid script syntax for jest's CommonJS runtime (parsed, not run: jest is not installed).
      expect(() => new Function("require", "describe", "it", "expect", quote)).not.toThrow();
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("says what is wrong with bad flags (exit 2)", async () => {
    const bad = await faultline(repo.dir, "--out", "x", "--framework", "mocha", "--db", dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--framework mocha: use vitest or jest");
    const missing = await faultline(
      repo.dir,
      "--base",
      repo.base,
      "--head",
      repo.head,
      "--out",
      "x",
      "--db",
      join(dataDir, "nope"),
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no telemetry store at");
  });
});
