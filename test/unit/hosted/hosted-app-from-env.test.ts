import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { UsageError } from "../../../src/errors.ts";
import {
  githubEndpointsFromEnv,
  hostedAppFromEnv,
} from "../../../src/github/hosted/hosted-app-from-env.ts";

const hosted = {
  FAULTLINE_PUBLIC_URL: "https://faultline.example.com",
  FAULTLINE_SECRET_KEY: randomBytes(32).toString("base64"),
  GITHUB_CLIENT_ID: "Iv1.abc",
  GITHUB_CLIENT_SECRET: "shh",
  FAULTLINE_SETTINGS_CLICKHOUSE_URL: "http://127.0.0.1:1",
};

describe("hostedAppFromEnv", () => {
  it("is the plain self-hosted app without hosted or Redis variables", async () => {
    expect(typeof (await hostedAppFromEnv({}))).toBe("function");
  });

  it.each([
    ["FAULTLINE_SECRET_KEY", /openssl rand -base64 32/],
    ["GITHUB_CLIENT_ID", /GITHUB_CLIENT_ID is not set/],
    ["GITHUB_CLIENT_SECRET", /GITHUB_CLIENT_SECRET is not set/],
    ["FAULTLINE_SETTINGS_CLICKHOUSE_URL", /FAULTLINE_SETTINGS_CLICKHOUSE_URL is not set/],
  ])("names a missing %s before connecting anywhere", async (name, message) => {
    const env: Record<string, string> = { ...hosted };
    delete env[name];
    const attempt = hostedAppFromEnv(env);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(hostedAppFromEnv(env)).rejects.toThrow(message);
  });

  it("refuses a bad per-installation concurrency", async () => {
    await expect(
      hostedAppFromEnv({
        REDIS_URL: "redis://127.0.0.1:1",
        FAULTLINE_INSTALLATION_CONCURRENCY: "0",
      }),
    ).rejects.toThrow(/FAULTLINE_INSTALLATION_CONCURRENCY/);
  });

  it("reaches GitHub Enterprise Server through GHE_HOST", () => {
    expect(githubEndpointsFromEnv({})).toEqual({
      webUrl: "https://github.com",
      apiUrl: "https://api.github.com",
    });
    expect(githubEndpointsFromEnv({ GHE_HOST: "ghe.acme.example" })).toEqual({
      webUrl: "https://ghe.acme.example",
      apiUrl: "https://ghe.acme.example/api/v3",
    });
  });
});
