import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../../src/config.ts";
import { UsageError } from "../../../src/errors.ts";
import { loadConfigFile, parseConfig } from "../../../src/load-config.ts";

const ORIGIN = ".github/faultline.yml";
const errorOf = (text: string): string => {
  try {
    parseConfig(text, ORIGIN);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error("expected the config to be rejected");
};

describe("parseConfig", () => {
  it("reads a valid file over the defaults", () => {
    const config = parseConfig(
      "window:\n  days: 7\ngate:\n  failOn: critical\nrisk:\n  weights:\n    churn: 0\nignore: ['**/*.test.ts']\n",
      ORIGIN,
    );
    expect(config.window.days).toBe(7);
    expect(config.gate.failOn).toBe("critical");
    expect(config.risk.weights.churn).toBe(0);
    expect(config.risk.weights.traffic).toBe(defaultConfig().risk.weights.traffic);
    expect(config.ignore).toEqual(["**/*.test.ts"]);
  });

  it("treats an empty or comment-only file as the defaults", () => {
    expect(parseConfig("", ORIGIN)).toEqual(defaultConfig());
    expect(parseConfig("# nothing yet\n", ORIGIN)).toEqual(defaultConfig());
    // Every child commented out: the key is unset, not an error.
    expect(parseConfig("gate:\n  # failOn: critical\nwindow:\n", ORIGIN)).toEqual(defaultConfig());
  });

  it("names the file, line, key and allowed values", () => {
    const text = "# faultline\nwindow:\n  days: 7\n\ngate:\n  overrideLabel: ok\n  failOn: hgih\n";
    expect(errorOf(text)).toBe(
      '.github/faultline.yml:7: gate.failOn: must be one of low|medium|high|critical|never (got "hgih")',
    );
  });

  it("lists the allowed keys for an unknown one", () => {
    expect(errorOf("gate:\n  fialOn: high\n")).toBe(
      ".github/faultline.yml:2: gate.fialOn: unknown key (allowed: failOn, overrideLabel, failClosed)",
    );
  });

  it("reports types, ranges, missing keys and cross-field rules", () => {
    expect(errorOf("window:\n  days: many\n")).toBe(
      '.github/faultline.yml:2: window.days: must be a number (got "many")',
    );
    expect(errorOf("window:\n  days: 365\n")).toBe(
      ".github/faultline.yml:2: window.days: must be <= 90 (got 365)",
    );
    expect(errorOf("services:\n  - paths: ['a/**']\n")).toBe(
      ".github/faultline.yml:2: services[0].service: is required (string)",
    );
    expect(errorOf("risk:\n  thresholds:\n    medium: 90\n")).toMatch(
      /^\.github\/faultline\.yml:2: risk\.thresholds: thresholds must be ordered/,
    );
  });

  it("rejects evil files with a usage error, not a crash", () => {
    const bomb = [
      'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "ignore: *d",
    ].join("\n");
    expect(errorOf(bomb)).toMatch(
      /^\.github\/faultline\.yml: not a usable configuration: .*alias/i,
    );
    expect(errorOf("window:\n  days: .inf\n")).toBe(
      ".github/faultline.yml:2: window.days: must be a number (got Infinity)",
    );
    expect(errorOf("__proto__:\n  polluted: 1\n")).toMatch(/__proto__: unknown key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects YAML syntax errors and non-mapping documents with a line", () => {
    expect(errorOf("gate:\n  failOn: [high\n")).toMatch(
      /^\.github\/faultline\.yml:\d+: not valid YAML/,
    );
    expect(errorOf("- a\n- b\n")).toMatch(/must be a mapping/);
  });
});

describe("loadConfigFile", () => {
  it("gives defaults for no path or a missing file, and parses a present one", async () => {
    const dir = await mkdtemp(join(tmpdir(), "faultline-config-"));
    try {
      expect(await loadConfigFile(undefined)).toEqual(defaultConfig());
      expect(await loadConfigFile(join(dir, "absent.yml"))).toEqual(defaultConfig());
      const file = join(dir, "faultline.yml");
      await writeFile(file, "drafts: true\n");
      expect((await loadConfigFile(file)).drafts).toBe(true);
      await writeFile(file, "drafts: yes please\n");
      await expect(loadConfigFile(file)).rejects.toThrow(`${file}:1: drafts: must be a boolean`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
