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
import type {
  FunctionTelemetry,
  TelemetryRequest,
  TelemetryResult,
} from "../../../src/telemetry/types.ts";
import { paymentFailure, type RealException } from "../../support/real-stacks.ts";
import { createShopRepo, type ShopRepo } from "../../support/shop-repo.ts";
import { exceptionEvent, hexId, spanRow } from "../../support/telemetry-fixtures.ts";

const HOUR = 3_600_000;
const to = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const from = new Date(to.getTime() - 7 * 24 * HOUR);
const request: TelemetryRequest = {
  functions: [
    { file: "src/payments.js", name: "chargeCard" },
    { file: "src/payments.js", name: "handlePayment" },
  ],
  window: { from, to },
};

let dir: string;
let connection: EmbeddedConnection;
let shop: ShopRepo;
let failure: RealException;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-occurrences-"));
  connection = await openEmbeddedConnection(join(dir, "chdb"));
  shop = await createShopRepo();
  failure = await paymentFailure();
});

afterAll(async () => {
  await connection?.close();
  shop?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One failed payment as OTel instrumentation records it: the thrown TypeError becomes an
 * `exception` event on `chargeCard`'s span, again on its caller `handlePayment`'s span, and
 * again on the HTTP server span — three recordings, same stack, one occurrence.
 */
function failedPayment(at: Date): Record<string, unknown>[] {
  const traceId = hexId(16);
  const server = hexId(8);
  const handler = hexId(8);
  const event = () => [exceptionEvent(failure.type, failure.message, failure.stack, at)];
  const common = {
    service: "shop",
    timestamp: at,
    traceId,
    status: "Error",
    resource: { "service.version": shop.sha },
  };
  return [
    spanRow({ ...common, name: "POST /payments", kind: "Server", spanId: server, events: event() }),
    spanRow({
      ...common,
      name: "handlePayment",
      parentSpanId: server,
      spanId: handler,
      scopeName: "faultline/instrument",
      attributes: {
        "code.function.name": "handlePayment",
        "code.file.path": "/usr/src/app/src/payments.js",
      },
      events: event(),
    }),
    spanRow({
      ...common,
      name: "chargeCard",
      parentSpanId: handler,
      scopeName: "faultline/instrument",
      attributes: {
        "code.function.name": "chargeCard",
        "code.file.path": "/usr/src/app/src/payments.js",
      },
      events: event(),
    }),
  ];
}

async function openDatabase(database: string) {
  const config = configSchema.parse({ telemetry: { database } });
  const tables = tableNames(config.telemetry);
  await connection.command(`CREATE DATABASE IF NOT EXISTS ${database}`);
  await connection.command(tracesTableDdl(tables));
  await connection.command(logsTableDdl(tables));
  const store = createClickHouseStore({ connection, config, locator: shop.locator });
  const addFailures = (count: number) =>
    connection.insert(
      `${database}.otel_traces`,
      Array.from({ length: count }, (_, i) =>
        failedPayment(new Date(to.getTime() - (i + 1) * HOUR)),
      ).flat(),
    );
  return { store, addFailures };
}

const counts = (result: TelemetryResult) =>
  [...result.functions.values()].map((f: FunctionTelemetry) => [
    f.key.name,
    f.exceptions.map((e) => [e.type, e.count]),
  ]);

describe("exception occurrences", () => {
  it("counts an exception recorded on every span of its trace once, raw and rolled up alike", async () => {
    const { store, addFailures } = await openDatabase("occurrences");
    await addFailures(1);
    const raw = await store.functionTelemetry(request);
    expect(raw.notices.join("\n")).toMatch(/rollup tables are missing/);
    expect(counts(raw)).toEqual([
      ["chargeCard", [["TypeError", 1]]],
      ["handlePayment", [["TypeError", 1]]],
    ]);

    // `db init` backfills the rollups from the same spans: the same figures.
    await store.init();
    const backfilled = await store.functionTelemetry(request);
    expect(backfilled.notices.join("\n")).not.toMatch(/rollup tables are missing/);
    expect(counts(backfilled)).toEqual(counts(raw));

    // A second failed request, now through the materialized views: two occurrences.
    await addFailures(1);
    const rolled = await store.functionTelemetry(request);
    expect(counts(rolled)).toEqual([
      ["chargeCard", [["TypeError", 2]]],
      ["handlePayment", [["TypeError", 2]]],
    ]);
  });

  it("gives the raw scan the rollup's figures for several traces", async () => {
    const rawOnly = await openDatabase("occurrences_raw");
    await rawOnly.addFailures(2);
    const raw = await rawOnly.store.functionTelemetry(request);
    expect(counts(raw)).toEqual([
      ["chargeCard", [["TypeError", 2]]],
      ["handlePayment", [["TypeError", 2]]],
    ]);
    const rolledUp = await openDatabase("occurrences_rolled");
    await rolledUp.store.init();
    await rolledUp.addFailures(2);
    const rolled = await rolledUp.store.functionTelemetry(request);
    const comparable = (r: TelemetryResult) =>
      [...r.functions.values()].map((f) => ({ ...f, incidents: f.incidents.map((i) => i.title) }));
    expect(comparable(rolled)).toEqual(comparable(raw));
  });
});
