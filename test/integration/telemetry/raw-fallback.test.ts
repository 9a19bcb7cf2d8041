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
import { logsTableDdl, tracesTableDdl } from "../../../src/telemetry/schema.ts";
import { tableNames } from "../../../src/telemetry/table-names.ts";
import type { TelemetryRequest } from "../../../src/telemetry/types.ts";
import { paymentFailure } from "../../support/real-stacks.ts";
import { createShopRepo, type ShopRepo } from "../../support/shop-repo.ts";
import { clickhouseTime, seedFunctionTraffic, spanRow } from "../../support/telemetry-fixtures.ts";

const HOUR = 3_600_000;
const to = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const from = new Date(to.getTime() - 7 * 24 * HOUR);
const request: TelemetryRequest = {
  functions: [
    { file: "src/orders.js", name: "OrderService.checkout" },
    { file: "src/payments.js", name: "chargeCard" },
  ],
  window: { from, to },
};

let dir: string;
let connection: EmbeddedConnection;
let shop: ShopRepo;

/** The same production history, written before Faultline's tables exist. */
async function seed(database: string) {
  const config = configSchema.parse({ telemetry: { database } });
  const tables = tableNames(config.telemetry);
  await connection.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await connection.command(tracesTableDdl(tables));
  await connection.command(logsTableDdl(tables));
  // An older instrumentation: deprecated code.* attributes, legacy status spelling.
  await seedFunctionTraffic(connection, {
    service: "shop",
    version: shop.sha,
    file: "/usr/src/app/src/orders.js",
    functionName: "OrderService.checkout",
    legacyAttributes: true,
    calls: 120,
    from,
    to,
    table: `${database}.otel_traces`,
  });
  await connection.insert(`${database}.otel_traces`, [
    {
      ...spanRow({
        name: "OrderService.checkout",
        service: "shop",
        timestamp: new Date(to.getTime() - HOUR),
      }),
      StatusCode: "STATUS_CODE_ERROR",
      SpanAttributes: {
        "code.function": "checkout",
        "code.namespace": "OrderService",
        "code.filepath": "/usr/src/app/src/orders.js",
      },
      ResourceAttributes: { "service.version": shop.sha },
    },
  ]);
  // A payment failure only logged (pino + OTel logs bridge), with its stack.
  const failure = await paymentFailure();
  await connection.insert(`${database}.otel_logs`, [
    {
      Timestamp: clickhouseTime(new Date(to.getTime() - 2 * HOUR)),
      ServiceName: "shop",
      SeverityText: "ERROR",
      SeverityNumber: 17,
      Body: failure.message,
      ResourceAttributes: { "service.name": "shop", "service.version": shop.sha },
      LogAttributes: {
        "exception.type": failure.type,
        "exception.message": failure.message,
        "exception.stacktrace": failure.stack,
      },
    },
  ]);
  return createClickHouseStore({ connection, config, locator: shop.locator });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-raw-"));
  connection = await openEmbeddedConnection(join(dir, "chdb"));
  shop = await createShopRepo();
});

afterAll(async () => {
  await connection?.close();
  shop?.remove();
  rmSync(dir, { recursive: true, force: true });
});

describe("raw tables without Faultline's rollups", () => {
  it("scans raw spans and logs, says so, and matches the rollup backfilled later", async () => {
    const rawStore = await seed("rawonly");
    const raw = await rawStore.functionTelemetry(request);
    expect(raw.notices.join("\n")).toMatch(
      /rollup tables are missing in rawonly .*scanned raw spans/,
    );
    const checkout = raw.functions.get("src/orders.js#OrderService.checkout");
    expect(checkout?.current).toMatchObject({ calls: 121, errors: 1 });
    expect(checkout?.attribution).toEqual(["code-attributes"]);
    const charge = raw.functions.get("src/payments.js#chargeCard");
    expect(charge?.current.calls).toBe(0);
    expect(charge?.exceptions).toMatchObject([{ type: "TypeError", count: 1, culprit: true }]);
    expect(charge?.attribution).toEqual(["stack-frame"]);

    // Same history, then `db init`: the views appear and the rollups are backfilled.
    const rolledStore = await seed("rolled");
    await rolledStore.init();
    const rolled = await rolledStore.functionTelemetry(request);
    expect(rolled.notices.join("\n")).not.toMatch(/rollup tables are missing/);
    const comparable = (r: typeof raw) =>
      [...r.functions.values()].map((f) => ({ ...f, incidents: f.incidents.map((i) => i.title) }));
    expect(comparable(rolled)).toEqual(comparable(raw));
  });
});

describe("inputSamples", () => {
  it("groups captured calls by inputs and outcome, most frequent first, per function", async () => {
    const store = await seed("inputs");
    await store.init();
    const capture = (args: string, outcome: Record<string, string>, count: number) =>
      seedFunctionTraffic(connection, {
        service: "shop",
        version: shop.sha,
        file: "/usr/src/app/src/orders.js",
        functionName: "OrderService.checkout",
        calls: count,
        from: new Date(to.getTime() - 3 * HOUR),
        to: new Date(to.getTime() - HOUR),
        attributes: { "faultline.args": args, ...outcome },
        table: "inputs.otel_traces",
      });
    await capture(
      '[{"id":"c-1","items":[]}]',
      {
        "faultline.outcome": "throw",
        "faultline.error.type": "RangeError",
        "faultline.error.message": "cart c-1 is empty",
      },
      5,
    );
    await capture(
      '[{"id":"c-2","items":[{"price":3,"qty":2}]}]',
      { "faultline.outcome": "return", "faultline.result": '{"total":6}' },
      9,
    );
    // Stamped by a clock running a minute ahead of the window's end: still a captured input.
    await seedFunctionTraffic(connection, {
      service: "shop",
      version: shop.sha,
      file: "/usr/src/app/src/orders.js",
      functionName: "OrderService.checkout",
      calls: 1,
      from: new Date(to.getTime() + 60_000),
      to: new Date(to.getTime() + 120_000),
      attributes: {
        "faultline.args": '[{"id":"c-2","items":[{"price":3,"qty":2}]}]',
        "faultline.outcome": "return",
        "faultline.result": '{"total":6}',
      },
      table: "inputs.otel_traces",
    });
    await capture(
      '[{"id":"c-3","items":[{"price":1,"qty":1}]}]',
      { "faultline.outcome": "return", "faultline.result": '{"total":1}' },
      2,
    );
    const samples = await store.inputSamples({ ...request, limitPerFunction: 2 });
    expect(samples.map((s) => [s.key.name, s.args, s.outcome, s.count, s.version])).toEqual([
      [
        "OrderService.checkout",
        '[{"id":"c-2","items":[{"price":3,"qty":2}]}]',
        { kind: "return", value: '{"total":6}' },
        10,
        shop.sha,
      ],
      [
        "OrderService.checkout",
        '[{"id":"c-1","items":[]}]',
        { kind: "throw", type: "RangeError", message: "cart c-1 is empty" },
        5,
        shop.sha,
      ],
    ]);
  });
});

describe("deployed commit", () => {
  it("says so when stacks come from a service without a git SHA", async () => {
    const config = configSchema.parse({ telemetry: { database: "unversioned" } });
    const store = createClickHouseStore({ connection, config, locator: shop.locator });
    await store.init();
    const failure = await paymentFailure();
    await seedFunctionTraffic(connection, {
      service: "legacy-payments",
      version: "1.4.2",
      spanName: "POST /payments",
      calls: 3,
      errors: 3,
      from: new Date(to.getTime() - 2 * HOUR),
      to: new Date(to.getTime() - HOUR),
      exception: failure,
      table: "unversioned.otel_traces",
    });
    const result = await store.functionTelemetry(request);
    expect(result.notices.join("\n")).toMatch(
      /stacks from legacy-payments carry no git SHA .*fallback revision \(lower confidence\)/,
    );
    expect(result.functions.get("src/payments.js#chargeCard")?.attribution).toContain(
      "stack-frame",
    );
  });
});
