import { describe, expect, it } from "vitest";
import {
  ACTION_INPUT_NAMES,
  type ActionInputName,
  parseActionInputs,
} from "../../../src/action/action-inputs.ts";
import { UsageError } from "../../../src/errors.ts";

const blank = Object.fromEntries(Object.keys(ACTION_INPUT_NAMES).map((key) => [key, ""])) as Record<
  ActionInputName,
  string
>;

const valid = { ...blank, clickhouseUrl: "https://ch.example.com:8443", githubToken: "ghs_x" };

describe("parseActionInputs", () => {
  it("applies the action.yml defaults to empty inputs and leaves overrides unset", () => {
    expect(parseActionInputs(valid)).toEqual({
      clickhouseUrl: "https://ch.example.com:8443",
      clickhouseUser: "default",
      clickhousePassword: "",
      config: ".github/faultline.yml",
      comment: true,
      githubToken: "ghs_x",
    });
  });

  it("takes every input, trimmed", () => {
    const inputs = parseActionInputs({
      ...valid,
      clickhouseUser: " reader ",
      clickhousePassword: "s3cret",
      clickhouseDatabase: "otel",
      config: "ci/faultline.yml",
      failOn: "critical",
      comment: "false",
      base: "origin/main",
      head: "0123abc",
    });
    expect(inputs).toMatchObject({
      clickhouseUser: "reader",
      clickhouseDatabase: "otel",
      config: "ci/faultline.yml",
      failOn: "critical",
      comment: false,
      base: "origin/main",
      head: "0123abc",
    });
  });

  it("accepts exactly the config's gate levels for fail-on", () => {
    for (const level of ["low", "medium", "high", "critical", "never"]) {
      expect(parseActionInputs({ ...valid, failOn: level }).failOn).toBe(level);
    }
    expect(() => parseActionInputs({ ...valid, failOn: "hgih" })).toThrow(
      'input `fail-on` must be one of low|medium|high|critical|never (got "hgih")',
    );
  });

  it("names each wrong input in one UsageError", () => {
    let error: unknown;
    try {
      parseActionInputs({ ...valid, comment: "yes", base: "--upload-pack=evil" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    const lines = (error as Error).message.split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('input `comment` must be one of true|false (got "yes")');
    expect(lines[1]).toMatch(/^input `base` must be a commit SHA or a revision name/);
  });

  it("requires a ClickHouse server URL and never echoes it", () => {
    expect(() => parseActionInputs({ ...valid, clickhouseUrl: "" })).toThrow(
      "input `clickhouse-url` is required",
    );
    let message = "";
    try {
      parseActionInputs({ ...valid, clickhouseUrl: "ftp://user:hunter2@ch.example.com" });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/input `clickhouse-url` must be an http:\/\/ or https:\/\/ URL/);
    expect(message).not.toContain("hunter2");
  });
});
