import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ClickHouseError, ClickHouseLogLevel, createClient, TupleParam } from "@clickhouse/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ClickHouseHttpServer,
  startClickHouseHttpServer,
} from "../../../src/telemetry/clickhouse-http-server.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";

let dir: string;
let connection: EmbeddedConnection;
let endpoint: ClickHouseHttpServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-chhttp-"));
  connection = await openEmbeddedConnection(join(dir, "chdb"));
  endpoint = await startClickHouseHttpServer({ connection });
});

afterAll(async () => {
  await endpoint?.close();
  await connection?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("ClickHouse HTTP interface over chDB, as @clickhouse/client uses it", () => {
  it("binds query_params of every shape without touching the SQL text", async () => {
    const client = createClient({ url: endpoint.url });
    try {
      const result = await client.query({
        query:
          "SELECT {s:String} AS s, {a:Array(String)} AS a, {h:Array(UInt64)} AS h, {t:Array(Tuple(String, UInt8))} AS t, {n:Nullable(String)} AS n, {i:Int64} AS i",
        query_params: {
          s: "it's a \\ back\tslash\nand a newline'); DROP TABLE x; --",
          a: ["x'y", "z\\w", "a,b]"],
          h: [18446744073709551615n, 7n],
          t: [new TupleParam(["k'", 1])],
          n: null,
          i: -42,
        },
        format: "JSONEachRow",
        clickhouse_settings: { output_format_json_quote_64bit_integers: 1 },
      });
      expect(await result.json()).toEqual([
        {
          s: "it's a \\ back\tslash\nand a newline'); DROP TABLE x; --",
          a: ["x'y", "z\\w", "a,b]"],
          h: ["18446744073709551615", "7"],
          t: [["k'", 1]],
          n: null,
          i: "-42",
        },
      ]);
      expect((await client.ping()).success).toBe(true);
    } finally {
      await client.close();
    }
  });

  it("honours the database parameter, inserts JSONEachRow bodies and compresses when asked", async () => {
    await connection.command("CREATE DATABASE IF NOT EXISTS shop");
    await connection.command(
      "CREATE TABLE IF NOT EXISTS shop.orders (id String, total UInt32) ENGINE = MergeTree ORDER BY id",
    );
    const client = createClient({
      url: endpoint.url,
      database: "shop",
      compression: { response: true, request: true },
    });
    try {
      await client.insert({
        table: "orders",
        values: [
          { id: "o-1", total: 12 },
          { id: "o-2", total: 30 },
        ],
        format: "JSONEachRow",
      });
      const rows = await client.query({
        query:
          "SELECT currentDatabase() AS db, sum(total) AS total FROM orders WHERE id IN {ids:Array(String)}",
        query_params: { ids: ["o-1", "o-2"] },
        format: "JSON",
      });
      const json = await rows.json<{ db: string; total: string | number }>();
      expect(json.data.map((r) => [r.db, Number(r.total)])).toEqual([["shop", 42]]);
    } finally {
      await client.close();
    }
  });

  it("reports failures as ClickHouse does: status, exception code and type", async () => {
    const client = createClient({ url: endpoint.url, log: { level: ClickHouseLogLevel.OFF } });
    try {
      const missing = await client
        .query({ query: "SELECT * FROM nowhere.nothing" })
        .catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(ClickHouseError);
      expect(missing).toMatchObject({ code: "81", type: "UNKNOWN_DATABASE" });
      const syntax = await client.query({ query: "SELEC 1" }).catch((e: unknown) => e);
      expect(syntax).toMatchObject({ code: "62", type: "SYNTAX_ERROR" });
      const raw = await fetch(`${endpoint.url}/?query=${encodeURIComponent("SELECT * FROM nope")}`);
      expect(raw.status).toBe(404);
      expect(raw.headers.get("x-clickhouse-exception-code")).toBe("60");
      expect(await raw.text()).toMatch(/^Code: 60\. DB::Exception: .*\(UNKNOWN_TABLE\)/);
    } finally {
      await client.close();
    }
  });
});
