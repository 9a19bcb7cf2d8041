import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config.ts";
import { createClickHouseStore } from "../../../src/telemetry/clickhouse-store.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";
import { LATEST_SCHEMA_VERSION, migrate } from "../../../src/telemetry/migrations.ts";
import { functionKeysSelect } from "../../../src/telemetry/schema.ts";
import { tableNames } from "../../../src/telemetry/table-names.ts";
import { seedFunctionTraffic } from "../../support/telemetry-fixtures.ts";

const HOUR = 3_600_000;
const to = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const from = new Date(to.getTime() - 14 * 24 * HOUR);
const config = configSchema.parse({});
const tables = tableNames(config.telemetry);
const checkout = {
  service: "shop",
  file: "/usr/src/app/src/orders.js",
  functionName: "OrderService.checkout",
  entrypoint: "POST /checkout",
};

let dir: string;
let connection: EmbeddedConnection;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-migrations-"));
  connection = await openEmbeddedConnection(join(dir, "chdb"));
});

afterAll(async () => {
  await connection?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The function keys table and view as schema version 1 created them: a random reservoir. */
async function installVersion1() {
  await migrate(connection, tables);
  await connection.command(`DROP VIEW ${tables.functionKeysView}`);
  await connection.command(`DROP TABLE ${tables.functionKeys}`);
  await connection.command(`CREATE TABLE ${tables.functionKeys} (
      ServiceName LowCardinality(String),
      SpanName LowCardinality(String),
      FilePath String,
      FunctionName String,
      FirstHour SimpleAggregateFunction(min, DateTime('UTC')),
      LastHour SimpleAggregateFunction(max, DateTime('UTC')),
      Calls SimpleAggregateFunction(sum, UInt64),
      TraceSample AggregateFunction(groupArraySample(16), String)
    ) ENGINE = AggregatingMergeTree
    ORDER BY (FunctionName, FilePath, ServiceName, SpanName)`);
  const version1Select = functionKeysSelect(tables).replace(
    "groupArraySortedState(16)(TraceId) AS TraceIds",
    "groupArraySampleState(16)(TraceId) AS TraceSample",
  );
  expect(version1Select).toContain("TraceSample");
  await connection.command(
    `CREATE MATERIALIZED VIEW ${tables.functionKeysView} TO ${tables.functionKeys} AS ${version1Select}`,
  );
  await connection.command(`TRUNCATE TABLE ${tables.schemaVersion}`);
  await connection.insert(tables.schemaVersion.replaceAll("`", ""), [
    {
      Version: 1,
      Description: "v1",
      AppliedAt: "2026-11-01 00:00:00",
      RollupSince: "1970-01-01 00:00:00",
    },
  ]);
}

const keyColumns = () =>
  connection.query<{ name: string }>(
    "SELECT name FROM system.columns WHERE database = 'default' AND table = 'faultline_function_keys' ORDER BY position",
  );

describe("schema migrations", () => {
  it("upgrades version 1's random trace samples to the smallest trace ids, keeping every call", async () => {
    await installVersion1();
    await seedFunctionTraffic(connection, { ...checkout, calls: 40, from, to });
    const callsBefore = await connection.query<{ calls: string }>(
      `SELECT toString(sum(Calls)) AS calls FROM ${tables.functionKeys}`,
    );

    // Until then, lookups read the raw spans and say how to migrate.
    const store = createClickHouseStore({ connection, config });
    const request = {
      functions: [{ file: "src/orders.js", name: "OrderService.checkout" }],
      window: { from, to },
    };
    const stale = await store.functionTelemetry(request);
    expect(stale.notices.join(" ")).toMatch(
      /schema version 1, and this Faultline reads version 2 \(run "faultline db init" to migrate them\): scanned raw spans/,
    );
    expect(stale.functions.get("src/orders.js#OrderService.checkout")?.current.calls).toBe(40);

    const status = await migrate(connection, tables);

    expect(status.version).toBe(LATEST_SCHEMA_VERSION);
    expect((await keyColumns()).map((c) => c.name)).toContain("TraceIds");
    expect((await keyColumns()).map((c) => c.name)).not.toContain("TraceSample");
    // The backfill adds samples of the spans already stored, not their calls again.
    expect(
      await connection.query(`SELECT toString(sum(Calls)) AS calls FROM ${tables.functionKeys}`),
    ).toEqual(callsBefore);
    const smallest = await connection.query<{ ids: string[] }>(
      `SELECT arraySort(groupArray(16)(TraceId)) AS ids FROM (
         SELECT TraceId FROM ${tables.traces} WHERE SpanName != 'POST /checkout' ORDER BY TraceId LIMIT 16)`,
    );
    const sampled = await connection.query<{ ids: string[] }>(
      `SELECT groupArraySortedMerge(16)(TraceIds) AS ids FROM ${tables.functionKeys} WHERE FunctionName != ''`,
    );
    expect(sampled[0]?.ids).toEqual(smallest[0]?.ids);

    // Spans arriving after the upgrade flow through the new view.
    await seedFunctionTraffic(connection, { ...checkout, calls: 10, from, to });
    const first = await store.functionTelemetry(request);
    expect(first.notices.join(" ")).not.toMatch(/schema version|raw spans/);
    const t = first.functions.get("src/orders.js#OrderService.checkout");
    expect(t?.current.calls).toBe(50);
    expect(t?.entrypoints).toEqual([{ name: "POST /checkout", calls: 50 }]);
    // The same sample on every read.
    const again = await store.functionTelemetry(request);
    expect(again.functions.get("src/orders.js#OrderService.checkout")?.entrypoints).toEqual(
      t?.entrypoints,
    );

    // Idempotent: a second init changes nothing.
    const callsNow = await connection.query(
      `SELECT toString(sum(Calls)) AS calls FROM ${tables.functionKeys}`,
    );
    expect((await migrate(connection, tables)).version).toBe(LATEST_SCHEMA_VERSION);
    expect(
      await connection.query(`SELECT toString(sum(Calls)) AS calls FROM ${tables.functionKeys}`),
    ).toEqual(callsNow);
  });
});
