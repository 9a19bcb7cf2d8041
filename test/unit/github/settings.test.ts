import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.ts";
import { settingsFromEnv } from "../../../src/github/settings.ts";

describe("settingsFromEnv", () => {
  it("has working defaults with no environment", () => {
    expect(settingsFromEnv({})).toEqual({
      clickhouse: null,
      concurrency: 4,
      analysisTimeoutMs: 300_000,
      telemetryTimeoutMs: 60_000,
      failClosed: false,
      checkName: "Faultline",
    });
  });

  it("reads ClickHouse credentials and the knobs", () => {
    const settings = settingsFromEnv({
      FAULTLINE_CLICKHOUSE_URL: "https://ch.internal:8443",
      FAULTLINE_CLICKHOUSE_USER: "faultline",
      FAULTLINE_CLICKHOUSE_PASSWORD: "s3cret",
      FAULTLINE_CLICKHOUSE_DATABASE: "otel",
      FAULTLINE_CONCURRENCY: "8",
      FAULTLINE_ANALYSIS_TIMEOUT_MS: "60000",
      FAULTLINE_FAIL_CLOSED: "true",
    });
    expect(settings.clickhouse).toEqual({
      url: "https://ch.internal:8443",
      username: "faultline",
      password: "s3cret",
      database: "otel",
    });
    expect(settings).toMatchObject({ concurrency: 8, analysisTimeoutMs: 60_000, failClosed: true });
  });

  it("names each bad variable and never echoes a value", () => {
    let error: unknown;
    try {
      settingsFromEnv({
        FAULTLINE_CLICKHOUSE_URL: "not a url with hunter2",
        FAULTLINE_CONCURRENCY: "0",
        FAULTLINE_FAIL_CLOSED: "maybe",
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    const message = (error as Error).message;
    expect(message).toMatch(/FAULTLINE_CLICKHOUSE_URL: /);
    expect(message).toMatch(/FAULTLINE_CONCURRENCY: /);
    expect(message).toMatch(/FAULTLINE_FAIL_CLOSED: /);
    expect(message).not.toContain("hunter2");
  });
});
