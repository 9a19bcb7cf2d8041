import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config.ts";
import {
  type ClickHouseHttpServer,
  startClickHouseHttpServer,
} from "../../../src/telemetry/clickhouse-http-server.ts";
import { createClickHouseStore } from "../../../src/telemetry/clickhouse-store.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";
import { openServerConnection } from "../../../src/telemetry/server-connection.ts";
import type {
  ClickHouseConnection,
  FunctionKey,
  TelemetryRequest,
  TelemetryStore,
} from "../../../src/telemetry/types.ts";
import { checkoutFailure, paymentFailure } from "../../support/real-stacks.ts";
import { createShopRepo, type ShopRepo } from "../../support/shop-repo.ts";
import { seedFunctionTraffic, spanRow } from "../../support/telemetry-fixtures.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const to = new Date(Math.floor(Date.now() / HOUR) * HOUR);
const from = new Date(to.getTime() - 14 * DAY);
const previousFrom = new Date(from.getTime() - 14 * DAY);

const checkout: FunctionKey = { file: "src/orders.js", name: "OrderService.checkout" };
const chargeCard: FunctionKey = { file: "src/payments.js", name: "chargeCard" };
const handlePayment: FunctionKey = { file: "src/payments.js", name: "handlePayment" };
const neverRun: FunctionKey = { file: "src/orders.js", name: "OrderService.constructor" };
const request: TelemetryRequest = {
  functions: [checkout, chargeCard, handlePayment, neverRun],
  window: { from, to },
};

let dir: string;
let embedded: EmbeddedConnection;
let endpoint: ClickHouseHttpServer;
let shop: ShopRepo;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-store-"));
  embedded = await openEmbeddedConnection(join(dir, "chdb"));
  endpoint = await startClickHouseHttpServer({ connection: embedded });
  shop = await createShopRepo();
});

afterAll(async () => {
  await endpoint?.close();
  await embedded?.close();
  shop?.remove();
  rmSync(dir, { recursive: true, force: true });
});

/** Seeds one database with the shop's production history. */
async function seedShop(connection: ClickHouseConnection, database: string, sha: string) {
  const table = `${database}.otel_traces`;
  const checkoutError = await checkoutFailure();
  const paymentError = await paymentFailure();
  const common = { service: "shop", version: sha, table };
  const checkoutSpans = {
    ...common,
    file: "/usr/src/app/src/orders.js",
    functionName: "OrderService.checkout",
    entrypoint: "POST /checkout",
    exception: checkoutError,
  };
  // Previous window: quiet. Current window: more traffic, more errors, and a one-hour spike.
  await seedFunctionTraffic(connection, {
    ...checkoutSpans,
    calls: 100,
    errors: 1,
    from: previousFrom,
    to: from,
  });
  await seedFunctionTraffic(connection, { ...checkoutSpans, calls: 336, errors: 12, from, to });
  const spikeHour = new Date(to.getTime() - 2 * DAY);
  await seedFunctionTraffic(connection, {
    ...checkoutSpans,
    calls: 30,
    errors: 30,
    from: spikeHour,
    to: new Date(spikeHour.getTime() + HOUR / 2),
  });
  // Payments carry no code.* attributes: only their exception stacks tie them to functions.
  await seedFunctionTraffic(connection, {
    ...common,
    spanName: "POST /payments",
    calls: 200,
    errors: 20,
    from,
    to,
    exception: paymentError,
  });
  // Unrelated noise in another service.
  await connection.insert(table, [
    spanRow({ name: "GET /health", service: "gateway", timestamp: new Date(to.getTime() - HOUR) }),
  ]);
  await connection.insert(`${database}.faultline_incidents`, [
    {
      Id: "INC-7",
      Title: "Checkout failures for empty carts",
      Severity: "SEV2",
      StartedAt: new Date(to.getTime() - 3 * DAY).toISOString().replace("T", " ").replace("Z", ""),
      ResolvedAt: null,
      ServiceName: "shop",
      Url: "https://status.example/INC-7",
      Source: "imported",
      Functions: ["src/orders.js#OrderService.checkout"],
      Fingerprints: [],
      Evidence: "",
      UpdatedAt: new Date().toISOString().replace("T", " ").replace("Z", ""),
    },
  ]);
}

const paths = [
  { name: "embedded chDB", database: "emb", server: false },
  { name: "@clickhouse/client over HTTP", database: "srv", server: true },
] as const;

describe.each(paths)("TelemetryStore via $name", ({ database, server }) => {
  let store: TelemetryStore;
  let connection: ClickHouseConnection;

  beforeAll(async () => {
    connection = server ? await openServerConnection({ url: endpoint.url }) : embedded;
    const config = configSchema.parse({ telemetry: { database } });
    store = createClickHouseStore({ connection, config, locator: shop.locator });
    const status = await store.init();
    expect(status.version).toBe(2);
    await seedShop(connection, database, shop.sha);
  });

  afterAll(async () => {
    if (server) await store.close();
  });

  it("init is idempotent and status reports every table", async () => {
    const again = await store.init();
    expect(again.version).toBe(2);
    expect(again.tables.every((t) => t.exists)).toBe(true);
    const traces = again.tables.find((t) => t.name === "otel_traces");
    // Checkout spans come with their root entrypoint span.
    expect(traces?.rows).toBe((100 + 336 + 30) * 2 + 200 + 1);
  });

  it("answers calls, errors, latency, trend and attribution per function from the rollup", async () => {
    const result = await store.functionTelemetry(request);
    expect(result.notices.join(" ")).not.toMatch(/rollup tables are missing|no git SHA/);
    const t = result.functions.get("src/orders.js#OrderService.checkout");
    expect(t).toBeDefined();
    expect(t?.current.calls).toBe(366);
    expect(t?.current.errors).toBe(42);
    expect(t?.previous).toMatchObject({ calls: 100, errors: 1 });
    expect(t?.current.p50Ms).toBeGreaterThan(4);
    expect(t?.current.p99Ms).toBeLessThan(30);
    expect(t?.trend).toBe("rising");
    expect(t?.attribution).toEqual(["code-attributes"]);
    expect(t?.services).toEqual(["shop"]);
    expect(t?.versions).toEqual([shop.sha]);
    expect(t?.entrypoints).toEqual([{ name: "POST /checkout", calls: 366 }]);
    expect(t?.hourly).toHaveLength(14 * 24);
    expect(t?.hourly.reduce((sum, p) => sum + p.calls, 0)).toBe(366);
    expect(t?.exceptions).toHaveLength(1);
    expect(t?.exceptions[0]).toMatchObject({ type: "RangeError", count: 42, culprit: true });
    expect(t?.exceptions[0]?.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(t?.exceptions[0]?.sampleStack).toContain(
      "at OrderService.checkout (/usr/src/app/src/orders.js:10:13)",
    );
    expect(result.functions.has("src/orders.js#OrderService.constructor")).toBe(false);
  });

  it("ties code-less spans to functions through their exception stacks", async () => {
    const result = await store.functionTelemetry(request);
    const charge = result.functions.get("src/payments.js#chargeCard");
    const handler = result.functions.get("src/payments.js#handlePayment");
    expect(charge?.attribution).toEqual(["stack-frame", "learned-span-name"]);
    expect(charge?.current).toMatchObject({ calls: 200, errors: 20 });
    expect(charge?.exceptions[0]).toMatchObject({ type: "TypeError", count: 20, culprit: true });
    expect(handler?.exceptions[0]).toMatchObject({ type: "TypeError", count: 20, culprit: false });
    expect(charge?.entrypoints).toEqual([{ name: "POST /payments", calls: 200 }]);
    expect(charge?.trend).toBe("new");
  });

  it("redacts exception text shown to users", async () => {
    const result = await store.functionTelemetry(request);
    const charge = result.functions.get("src/payments.js#chargeCard");
    expect(charge?.exceptions[0]?.sampleMessage).toContain("exceeds the card limit");
  });

  it("links imported incidents and records detected error spikes", async () => {
    const result = await store.functionTelemetry(request);
    const incidents = result.functions.get("src/orders.js#OrderService.checkout")?.incidents ?? [];
    expect(incidents.map((i) => i.source).sort()).toEqual(["detected", "imported"]);
    const spike = incidents.find((i) => i.source === "detected");
    expect(spike?.evidence).toMatch(/^linked to this function: 3\d errors in 3\d calls from /);
    expect(incidents.find((i) => i.id === "INC-7")?.url).toBe("https://status.example/INC-7");
    expect(result.functions.get("src/payments.js#chargeCard")?.incidents).toEqual([]);
    // Stored once, not rewritten by every later lookup that detects it again.
    const stored = () =>
      connection.query<{ id: string; evidence: string; updated: string }>(
        `SELECT Id AS id, Evidence AS evidence, toString(UpdatedAt) AS updated
         FROM ${database}.faultline_incidents FINAL WHERE Source = 'detected'`,
      );
    const before = await stored();
    expect(before).toEqual([
      {
        id: spike?.id,
        evidence: spike?.evidence.replace(/^linked to this function: /, ""),
        updated: expect.any(String),
      },
    ]);
    await store.functionTelemetry(request);
    expect(await stored()).toEqual(before);
    // More failures in the spike's hour: the stored incident is brought up to date.
    const spikeStart = Date.parse(spike?.startedAt ?? "");
    await seedFunctionTraffic(connection, {
      service: "shop",
      version: shop.sha,
      table: `${database}.otel_traces`,
      file: "/usr/src/app/src/orders.js",
      functionName: "OrderService.checkout",
      calls: 10,
      errors: 10,
      from: new Date(spikeStart),
      to: new Date(spikeStart + HOUR / 2),
    });
    const grown = (await store.functionTelemetry(request)).functions
      .get("src/orders.js#OrderService.checkout")
      ?.incidents.find((i) => i.source === "detected");
    expect(grown?.evidence).toMatch(/^linked to this function: 4\d errors in 4\d calls from /);
    expect((await stored())[0]?.evidence).toBe(
      grown?.evidence.replace(/^linked to this function: /, ""),
    );
  });

  it("restricts to the requested services", async () => {
    const result = await store.functionTelemetry({ ...request, services: ["gateway"] });
    expect(result.functions.size).toBe(0);
  });
});
