import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configSchema } from "../../../src/config.ts";
import { createClickHouseStore } from "../../../src/telemetry/clickhouse-store.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../../src/telemetry/embedded-connection.ts";
import { startOtlpReceiver } from "../../../src/telemetry/otlp/otlp-receiver.ts";
import { checkoutFailure } from "../../support/real-stacks.ts";

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtoExporter>[0]>;

let dir: string;
let connection: EmbeddedConnection;
const config = configSchema.parse({});
const tables = { tracesTable: "default.otel_traces", logsTable: "default.otel_logs" };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "faultline-otlp-"));
  connection = await openEmbeddedConnection(join(dir, "chdb"));
  await createClickHouseStore({ connection, config }).init();
});

afterAll(async () => {
  await connection?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs a small instrumented checkout through a real SDK pipeline into `exporter`. */
async function emitCheckouts(exporter: SpanExporter, service: string, requests: number) {
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": service, "service.version": "9f8e7d6" }),
    spanProcessors: [new BatchSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer("shop-http");
  const failure = await checkoutFailure();
  for (let i = 0; i < requests; i++) {
    tracer.startActiveSpan(
      "POST /checkout",
      {
        kind: SpanKind.SERVER,
        attributes: { "http.route": "/checkout", "http.request.method": "POST" },
      },
      (root) => {
        tracer.startActiveSpan(
          "OrderService.checkout",
          {
            attributes: {
              "code.function.name": "OrderService.checkout",
              "code.file.path": "/usr/src/app/src/orders.js",
              "cart.items": 3,
            },
          },
          // No global context manager is registered in tests: pass the parent explicitly.
          trace.setSpan(ROOT_CONTEXT, root),
          (span) => {
            if (i % 4 === 0) {
              const error = Object.assign(new RangeError(failure.message), {
                stack: failure.stack,
              });
              span.recordException(error);
              span.setStatus({ code: SpanStatusCode.ERROR, message: failure.message });
            }
            span.end();
          },
        );
        root.end();
      },
    );
  }
  await provider.forceFlush();
  await provider.shutdown();
}

describe("OTLP receiver", () => {
  it("stores spans from the real proto (gzip) and JSON exporters in exporter layout", async () => {
    const receiver = await startOtlpReceiver({ connection, ...tables, flushIntervalMs: 50 });
    try {
      await emitCheckouts(
        new ProtoExporter({
          url: `${receiver.url}/v1/traces`,
          compression: "gzip" as ExporterConfig["compression"],
        }),
        "shop-proto",
        8,
      );
      await emitCheckouts(
        new HttpJsonExporter({ url: `${receiver.url}/v1/traces` }),
        "shop-json",
        8,
      );
      await receiver.flush();
      expect(receiver.stats()).toMatchObject({ acceptedSpans: 32, badRequests: 0, queuedRows: 0 });
    } finally {
      await receiver.close();
    }
    for (const service of ["shop-proto", "shop-json"]) {
      const rows = await connection.query<Record<string, unknown>>(
        `SELECT SpanName, SpanKind, StatusCode, StatusMessage, length(TraceId) AS traceIdLength,
                ParentSpanId, Duration, ResourceAttributes['service.version'] AS version,
                SpanAttributes, ScopeName, Events.Name AS eventNames,
                Events.Attributes AS eventAttributes
         FROM default.otel_traces WHERE ServiceName = {service:String} ORDER BY SpanName, StatusCode`,
        { service },
      );
      expect(rows).toHaveLength(16);
      const roots = rows.filter((r) => r.SpanName === "POST /checkout");
      expect(roots.every((r) => r.SpanKind === "Server" && r.ParentSpanId === "")).toBe(true);
      const failed = rows.filter((r) => r.StatusCode === "Error");
      expect(failed).toHaveLength(2);
      expect(failed[0]).toMatchObject({
        SpanKind: "Internal",
        traceIdLength: 32,
        version: "9f8e7d6",
        ScopeName: "shop-http",
        eventNames: ["exception"],
        SpanAttributes: {
          "code.function.name": "OrderService.checkout",
          "code.file.path": "/usr/src/app/src/orders.js",
          "cart.items": "3",
        },
      });
      const event = (failed[0]?.eventAttributes as Record<string, string>[] | undefined)?.[0];
      expect(event?.["exception.type"]).toBe("RangeError");
      expect(event?.["exception.stacktrace"]).toContain(
        "at OrderService.checkout (/usr/src/app/src/orders.js:10:13)",
      );
      expect(Number(failed[0]?.Duration)).toBeGreaterThanOrEqual(0);
    }
    // The rollup saw them too: the store answers for the function.
    const store = createClickHouseStore({ connection, config });
    const now = Date.now();
    const result = await store.functionTelemetry({
      functions: [{ file: "src/orders.js", name: "OrderService.checkout" }],
      window: { from: new Date(now - 3_600_000), to: new Date(now + 60_000) },
    });
    const t = result.functions.get("src/orders.js#OrderService.checkout");
    expect(t?.current).toMatchObject({ calls: 16, errors: 4 });
    expect(t?.entrypoints).toEqual([{ name: "POST /checkout", calls: 16 }]);
  });

  it("answers 400 with a reason for malformed payloads, in the request's content type", async () => {
    const receiver = await startOtlpReceiver({ connection, ...tables });
    try {
      const json = await fetch(`${receiver.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"resourceSpans": [',
      });
      expect(json.status).toBe(400);
      expect(((await json.json()) as { message: string }).message).toMatch(
        /malformed JSON traces export request/,
      );
      const shape = await fetch(`${receiver.url}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resourceLogs: { not: "an array" } }),
      });
      expect(shape.status).toBe(400);
      expect(((await shape.json()) as { message: string }).message).toBe(
        '"resourceLogs" must be an array',
      );
      const proto = await fetch(`${receiver.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/x-protobuf" },
        body: Buffer.from([0x0a, 0xff, 0xff, 0x01]),
      });
      expect(proto.status).toBe(400);
      expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
      const gzip = await fetch(`${receiver.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: "not gzip",
      });
      expect(gzip.status).toBe(400);
      expect(receiver.stats().badRequests).toBe(4);
    } finally {
      await receiver.close();
    }
  });

  it("reports spans with bad ids as partial success and stores JSON logs", async () => {
    const receiver = await startOtlpReceiver({ connection, ...tables });
    const nowNs = `${BigInt(Date.now()) * 1_000_000n}`;
    try {
      const spans = await fetch(`${receiver.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: gzipSync(
          JSON.stringify({
            resourceSpans: [
              {
                resource: {
                  attributes: [{ key: "service.name", value: { stringValue: "partial" } }],
                },
                scopeSpans: [
                  {
                    spans: [
                      {
                        traceId: "5b8efff798038103d269b633813fc60c",
                        spanId: "eee19b7ec3c1b174",
                        name: "ok",
                        kind: 2,
                        startTimeUnixNano: nowNs,
                        endTimeUnixNano: nowNs,
                      },
                      {
                        traceId: "xyz",
                        spanId: "eee19b7ec3c1b174",
                        name: "bad id",
                        kind: 1,
                        startTimeUnixNano: nowNs,
                        endTimeUnixNano: nowNs,
                      },
                    ],
                  },
                ],
              },
            ],
          }),
        ),
      });
      expect(spans.status).toBe(200);
      expect(await spans.json()).toEqual({
        partialSuccess: {
          rejectedSpans: "1",
          errorMessage: "spans with missing or malformed traceId/spanId",
        },
      });
      const logs = await fetch(`${receiver.url}/v1/logs`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          resourceLogs: [
            {
              resource: {
                attributes: [{ key: "service.name", value: { stringValue: "partial" } }],
              },
              scopeLogs: [
                {
                  scope: { name: "pino" },
                  logRecords: [
                    {
                      timeUnixNano: nowNs,
                      severityNumber: 17,
                      severityText: "ERROR",
                      body: { stringValue: "payment failed" },
                      attributes: [
                        { key: "exception.type", value: { stringValue: "TypeError" } },
                        { key: "retry", value: { intValue: "2" } },
                        {
                          key: "tags",
                          value: {
                            arrayValue: { values: [{ stringValue: "a" }, { boolValue: true }] },
                          },
                        },
                      ],
                    },
                  ],
                },
              ],
            },
          ],
        }),
      });
      expect(logs.status).toBe(200);
      expect(await logs.json()).toEqual({});
    } finally {
      await receiver.close();
    }
    const logRows = await connection.query<Record<string, unknown>>(
      "SELECT SeverityText, SeverityNumber, Body, ScopeName, LogAttributes, TimestampTime > 0 AS hasTime FROM default.otel_logs WHERE ServiceName = 'partial'",
    );
    expect(logRows).toEqual([
      {
        SeverityText: "ERROR",
        SeverityNumber: 17,
        Body: "payment failed",
        ScopeName: "pino",
        LogAttributes: { "exception.type": "TypeError", retry: "2", tags: '["a",true]' },
        hasTime: 1,
      },
    ]);
    const spanRows = await connection.query(
      "SELECT SpanName, SpanKind FROM default.otel_traces WHERE ServiceName = 'partial'",
    );
    expect(spanRows).toEqual([{ SpanName: "ok", SpanKind: "Server" }]);
  });

  it("answers 429 when its queue is full and flushes everything accepted on close", async () => {
    const receiver = await startOtlpReceiver({
      connection,
      ...tables,
      maxQueueRows: 10,
      batchRows: 1000,
      flushIntervalMs: 3_600_000,
    });
    const body = (name: string, count: number) =>
      JSON.stringify({
        resourceSpans: [
          {
            resource: { attributes: [{ key: "service.name", value: { stringValue: "queue" } }] },
            scopeSpans: [
              {
                spans: Array.from({ length: count }, (_, i) => ({
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: (i + 1).toString(16).padStart(16, "0"),
                  name,
                  startTimeUnixNano: "1764000000000000000",
                  endTimeUnixNano: "1764000000005000000",
                })),
              },
            ],
          },
        ],
      });
    const post = (payload: string) =>
      fetch(`${receiver.url}/v1/traces`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: payload,
      });
    expect((await post(body("first", 8))).status).toBe(200);
    // Accepted but not yet written: the flush interval is an hour away.
    expect(receiver.stats()).toMatchObject({ queuedRows: 8, writtenRows: 0 });
    const throttled = await post(body("second", 8));
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get("retry-after")).toBe("1");
    expect(receiver.stats()).toMatchObject({ acceptedSpans: 8, throttled: 1 });
    await receiver.close();
    const rows = await connection.query<{ n: number }>(
      "SELECT count() AS n FROM default.otel_traces WHERE ServiceName = 'queue'",
    );
    expect(Number(rows[0]?.n)).toBe(8);
  });
});
