import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { storeOptionsFrom } from "../../../src/cli/store-options.ts";

describe("storeOptionsFrom", () => {
  it("takes flags over the environment, and the password only from the environment", () => {
    const env = {
      FAULTLINE_CLICKHOUSE_URL: "https://env.example:8443",
      FAULTLINE_CLICKHOUSE_USER: "env-user",
      FAULTLINE_CLICKHOUSE_PASSWORD: "s3cret",
      FAULTLINE_CLICKHOUSE_DATABASE: "otel",
    };
    expect(storeOptionsFrom({}, env)).toEqual({
      clickhouse: {
        url: "https://env.example:8443",
        username: "env-user",
        password: "s3cret",
        database: "otel",
      },
    });
    expect(
      storeOptionsFrom({ clickhouse: "http://flag:8123", clickhouseUser: "flag-user" }, env),
    ).toEqual({
      clickhouse: {
        url: "http://flag:8123",
        username: "flag-user",
        password: "s3cret",
        database: "otel",
      },
    });
    expect(storeOptionsFrom({ db: "data" }, env)).toEqual({ dataDir: resolve("data") });
    expect(storeOptionsFrom({}, {})).toEqual({});
  });

  it("rejects two stores at once and URLs that are not HTTP", () => {
    expect(() => storeOptionsFrom({ db: "x", clickhouse: "http://y" }, {})).toThrow(
      /exclude each other/,
    );
    expect(() => storeOptionsFrom({ clickhouse: "clickhouse:9000" }, {})).toThrow(/HTTP\(S\) URL/);
  });
});
