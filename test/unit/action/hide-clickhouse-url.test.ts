import { describe, expect, it } from "vitest";
import { hideClickHouseUrl } from "../../../src/action/hide-clickhouse-url.ts";

describe("hideClickHouseUrl", () => {
  it("hides the URL in every form the telemetry errors print it", () => {
    const url = "https://reader:s3cret@ch.internal.example.com:8443";
    const text = [
      "could not reach ClickHouse at https://reader:***@ch.internal.example.com:8443/ (ETIMEDOUT).",
      "Check --clickhouse / FAULTLINE_CLICKHOUSE_URL and that the server is up.",
      "getaddrinfo ENOTFOUND ch.internal.example.com; connect to ch.internal.example.com:8443",
    ].join(" ");
    const hidden = hideClickHouseUrl(text, url);
    expect(hidden).not.toMatch(/ch\.internal|s3cret|reader/);
    expect(hidden).toBe(
      "could not reach ClickHouse at the clickhouse-url server (ETIMEDOUT). Check the clickhouse-url input (secret) and that the server is up. getaddrinfo ENOTFOUND the clickhouse-url server; connect to the clickhouse-url server",
    );
  });

  it("leaves other text alone", () => {
    expect(hideClickHouseUrl("rollup missing: scanned raw spans", "http://10.0.0.5:8123")).toBe(
      "rollup missing: scanned raw spans",
    );
  });
});
