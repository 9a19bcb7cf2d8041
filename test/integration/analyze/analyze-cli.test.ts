import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import { serialize } from "../../../src/instrument/serialize.ts";
import type { Report } from "../../../src/report/types.ts";
import { openTelemetryStore } from "../../../src/telemetry/open-store.ts";
import { runFaultline } from "../../support/run-faultline.ts";
import { seedFunctionTraffic, v8Stack } from "../../support/telemetry-fixtures.ts";
import { createTempRepo, type TempRepo } from "../code/temp-repo.ts";

const faultline = (cwd: string, ...args: string[]) => runFaultline(cwd, "analyze", ...args);

const BASE_SOURCE = `function applyDiscount(price, coupon) {
  return price - coupon.amount;
}

function total(items) {
  return items.reduce((sum, item) => sum + applyDiscount(item.price, item.coupon), 0);
}

module.exports = { applyDiscount, total };
`;

const HEAD_SOURCE = `function applyDiscount(price, coupon, options) {
  const amount = coupon.percent ? (price * coupon.percent) / 100 : coupon.amount;
  return Math.max(options.floor, price - amount);
}

function total(items) {
  return items.reduce((sum, item) => sum + applyDiscount(item.price, item.coupon), 0);
}

module.exports = { applyDiscount, total };
`;

describe("faultline analyze", () => {
  let repo: TempRepo;
  let dataDir: string;
  let base: string;
  let head: string;

  beforeAll(async () => {
    repo = await createTempRepo();
    base = await repo.commit(
      {
        "src/pricing.js": BASE_SOURCE,
        ".github/CODEOWNERS": "* @acme/core\n/src/ @acme/pricing\n",
      },
      "pricing",
    );
    head = await repo.commit({ "src/pricing.js": HEAD_SOURCE }, "percent coupons");
    dataDir = await mkdtemp(join(tmpdir(), "faultline-analyze-db-"));
    const store = await openTelemetryStore({ config: defaultConfig(), dataDir });
    try {
      await store.init();
      const now = Date.now();
      const stack = v8Stack("TypeError", "Cannot read properties of undefined (reading 'amount')", [
        { fn: "applyDiscount", file: "/usr/src/app/src/pricing.js", line: 2, column: 24 },
        { fn: "total", file: "/usr/src/app/src/pricing.js", line: 6, column: 42 },
      ]);
      await seedFunctionTraffic(store.connection, {
        service: "shop",
        version: base,
        file: "/usr/src/app/src/pricing.js",
        functionName: "applyDiscount",
        calls: 400,
        errors: 24,
        from: new Date(now - 3 * 86_400_000),
        to: new Date(now - 60_000),
        exception: {
          type: "TypeError",
          message: "Cannot read properties of undefined (reading 'amount') for jane@acme.io",
          stack,
        },
        entrypoint: "POST /api/cart/quote",
      });
      // Calls captured by faultline/instrument: the inputs behind regression scenarios.
      await seedFunctionTraffic(store.connection, {
        service: "shop",
        version: base,
        file: "/usr/src/app/src/pricing.js",
        functionName: "applyDiscount",
        calls: 6,
        from: new Date(now - 86_400_000),
        to: new Date(now - 60_000),
        attributes: {
          "faultline.args": serialize([120, { amount: 20 }]),
          "faultline.outcome": "return",
          "faultline.result": serialize(100),
        },
      });
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    await repo?.remove();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("joins the change with production telemetry and git history (JSON)", async () => {
    const { code, stdout, stderr } = await faultline(
      repo.dir,
      "--base",
      base,
      "--head",
      head,
      "--db",
      dataDir,
      "--format",
      "json",
      "--fail-on",
      "never",
    );
    // Not a terminal: no progress lines.
    expect(stderr).not.toMatch(/^faultline:/m);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as Report;
    expect(report).toMatchObject({ base, head, withTraffic: 1 });
    const top = report.functions[0];
    expect(top?.fn).toMatchObject({
      file: "src/pricing.js",
      name: "applyDiscount",
      signatureChanged: true,
    });
    expect(top?.telemetry?.current).toMatchObject({ calls: 406, errors: 24 });
    expect(top?.telemetry?.exceptions[0]?.type).toBe("TypeError");
    expect(top?.telemetry?.exceptions[0]?.sampleMessage).not.toContain("jane@acme.io");
    expect(top?.history?.recentCommits.map((c) => c.subject)).toEqual(["pricing"]);
    expect(top?.owners).toEqual(["@acme/pricing"]);
    const factors = Object.fromEntries(top?.risk.factors.map((f) => [f.id, f]) ?? []);
    expect(factors.errorRate?.detail).toBe("5.9% of calls fail (24 of 406)");
    expect(factors.blastRadius?.value).toBeGreaterThan(0);
    // `total` calls applyDiscount but did not change itself: it is a caller, not a changed function.
    expect(report.functions).toHaveLength(1);
    expect(top?.fn.callers.map((c) => c.function)).toEqual(["total.<anonymous>"]);
    expect(top?.risk.level).toBe("high");
    expect(report.scenarios).toHaveLength(1);
    expect(report.scenarios[0]).toMatchObject({
      key: { file: "src/pricing.js", name: "applyDiscount" },
      framework: "vitest",
      runnable: true,
    });
    expect(report.scenarios[0]?.cases[0]).toMatchObject({ args: "120, { amount: 20 }", seen: 6 });
  });

  it("prints the comment and exits 1 when the gate trips", async () => {
    const out = join(dataDir, "..", `faultline-comment-${process.pid}.md`);
    const { code, stdout } = await faultline(
      repo.dir,
      "--base",
      base,
      "--head",
      head,
      "--db",
      dataDir,
      "--fail-on",
      "low",
      "--out",
      out,
    );
    expect(code).toBe(1);
    expect(stdout).toBe("");
    const comment = await readFile(out, "utf8");
    await rm(out, { force: true });
    expect(comment).toContain("<!-- faultline:report -->");
    expect(comment).toMatch(/\*\*1 of 1\*\* changed function carries production traffic/);
    expect(comment).toContain("❌ Gate failed");
    expect(comment).toContain("`applyDiscount`");
    expect(comment).toContain("`POST /api/cart/quote`");
    // Owners are named, not pinged.
    expect(comment).toContain("| @\u200Dacme/pricing |");
    expect(comment).toContain("🧪 Regression scenarios from production inputs (1)");
    expect(comment).toMatch(
      /(`{3,})js\n[\s\S]*Regression scenarios for `applyDiscount`[\s\S]*120, \{ amount: 20 \}[\s\S]*\n\1\n/,
    );
  });

  it("without a store, says telemetry is unavailable and stays neutral", async () => {
    const { code, stdout } = await faultline(
      repo.dir,
      "--base",
      base,
      "--head",
      head,
      "--fail-on",
      "low",
      "--quiet",
    );
    expect(code).toBe(0);
    expect(stdout).toContain("Telemetry unavailable: no store given");
    expect(stdout).toContain("⚪ Gate neutral");
    expect(stdout).toContain("production telemetry was unavailable");
  });

  it("exits 2 with the line and key of an invalid config, and on bad flags", async () => {
    const config = join(repo.dir, "bad.yml");
    await writeFile(config, "gate:\n  failOn: hgih\n");
    const bad = await faultline(repo.dir, "--base", base, "--head", head, "--config", config);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `faultline: ${config}:2: gate.failOn: must be one of low|medium|high|critical|never (got "hgih")\n`,
    );
    const flags = await faultline(repo.dir, "--base", base, "--head", head, "--format", "xml");
    expect(flags.code).toBe(2);
    expect(flags.stderr).toContain("--format xml: use markdown or json");
    const level = await faultline(repo.dir, "--base", base, "--head", head, "--fail-on", "severe");
    expect(level.code).toBe(2);
  });
});
