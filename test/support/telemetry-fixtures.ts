/**
 * Realistic telemetry for tests: rows in the exact OTel Collector clickhouseexporter layout
 * (`otel_traces`), exception events carrying real-shaped V8 stacks, and bulk seeding of a
 * function's traffic. Shared by every area that needs production data in chDB.
 */
import { randomBytes } from "node:crypto";
import type { ClickHouseConnection } from "../../src/telemetry/types.ts";

/** One span event as the exporter stores it (parallel `Events.*` arrays). */
export interface SpanEvent {
  timestamp: Date;
  name: string;
  attributes: Record<string, string>;
}

/** Friendly description of a span; everything but `name` and `service` has a sensible default. */
export interface SpanInput {
  name: string;
  service: string;
  /** Span start; default now. */
  timestamp?: Date;
  traceId?: string;
  spanId?: string;
  /** "" (default) makes it a root span. */
  parentSpanId?: string;
  /** `Server` | `Internal` | `Client` | ... (default `Internal`). */
  kind?: string;
  resource?: Record<string, string>;
  attributes?: Record<string, string>;
  durationMs?: number;
  /** `Unset` (default) | `Ok` | `Error` (or the legacy `STATUS_CODE_ERROR`). */
  status?: string;
  statusMessage?: string;
  events?: SpanEvent[];
  scopeName?: string;
}

/** Random lowercase hex id of `bytes` bytes (16 for trace ids, 8 for span ids). */
export function hexId(bytes: number): string {
  return randomBytes(bytes).toString("hex");
}

/** DateTime64(9) as ClickHouse parses it from JSONEachRow: `<unix seconds>.<nanos>`, timezone-free. */
export function clickhouseTime(date: Date): string {
  const ms = date.getTime();
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  return `${seconds}.${String(nanos).padStart(9, "0")}`;
}

/**
 * An `otel_traces` row in the exporter's column layout.
 *
 * @example
 *   await conn.insert("default.otel_traces", [
 *     spanRow({ name: "GET /orders/:id", service: "orders", kind: "Server",
 *               attributes: { "http.route": "/orders/:id" } }),
 *   ]);
 */
export function spanRow(input: SpanInput): Record<string, unknown> {
  const events = input.events ?? [];
  return {
    Timestamp: clickhouseTime(input.timestamp ?? new Date()),
    TraceId: input.traceId ?? hexId(16),
    SpanId: input.spanId ?? hexId(8),
    ParentSpanId: input.parentSpanId ?? "",
    TraceState: "",
    SpanName: input.name,
    SpanKind: input.kind ?? "Internal",
    ServiceName: input.service,
    ResourceAttributes: {
      "service.name": input.service,
      "telemetry.sdk.language": "nodejs",
      "telemetry.sdk.name": "opentelemetry",
      ...input.resource,
    },
    ScopeName: input.scopeName ?? "@opentelemetry/instrumentation-http",
    ScopeVersion: "0.57.0",
    SpanAttributes: input.attributes ?? {},
    Duration: Math.round((input.durationMs ?? 12) * 1_000_000),
    StatusCode: input.status ?? "Unset",
    StatusMessage: input.statusMessage ?? "",
    "Events.Timestamp": events.map((e) => clickhouseTime(e.timestamp)),
    "Events.Name": events.map((e) => e.name),
    "Events.Attributes": events.map((e) => e.attributes),
    "Links.TraceId": [],
    "Links.SpanId": [],
    "Links.TraceState": [],
    "Links.Attributes": [],
  };
}

/** The `exception` span event the OTel SDK records from `span.recordException(error)`. */
export function exceptionEvent(
  type: string,
  message: string,
  stack: string,
  timestamp: Date = new Date(),
): SpanEvent {
  return {
    timestamp,
    name: "exception",
    attributes: {
      "exception.type": type,
      "exception.message": message,
      "exception.stacktrace": stack,
    },
  };
}

/** One frame of a V8 stack trace. */
export interface StackFrame {
  /** Function as V8 prints it (`OrderService.checkout`, `Object.<anonymous>`); absent = bare location. */
  fn?: string;
  /** Path as the deployed process saw it: `/usr/src/app/dist/orders.js`, `file:///app/x.mjs`, `node:internal/...`. */
  file: string;
  line: number;
  column: number;
  /** Printed as `at async fn (...)`. */
  async?: boolean;
}

/**
 * A stack trace exactly as V8 formats `error.stack` (what `exception.stacktrace` holds).
 *
 * @example
 *   v8Stack("TypeError", "Cannot read properties of undefined (reading 'id')", [
 *     { fn: "OrderService.checkout", file: "/usr/src/app/src/orders.js", line: 42, column: 17 },
 *     { fn: "process.processTicksAndRejections", file: "node:internal/process/task_queues", line: 95, column: 5 },
 *   ]);
 */
export function v8Stack(type: string, message: string, frames: readonly StackFrame[]): string {
  const lines = frames.map((frame) => {
    const location = `${frame.file}:${frame.line}:${frame.column}`;
    const prefix = frame.async ? "async " : "";
    return frame.fn ? `    at ${prefix}${frame.fn} (${location})` : `    at ${prefix}${location}`;
  });
  return [`${type}: ${message}`, ...lines].join("\n");
}

/** Frames Node itself adds under async application code; not in-app. */
export const NODE_INTERNAL_FRAMES: readonly StackFrame[] = [
  {
    fn: "process.processTicksAndRejections",
    file: "node:internal/process/task_queues",
    line: 95,
    column: 5,
  },
];

/** Express-style framework frames from node_modules; not in-app. */
export function expressFrames(appRoot: string): StackFrame[] {
  return [
    {
      fn: "Layer.handle [as handle_request]",
      file: `${appRoot}/node_modules/express/lib/router/layer.js`,
      line: 95,
      column: 5,
    },
    {
      fn: "next",
      file: `${appRoot}/node_modules/express/lib/router/route.js`,
      line: 149,
      column: 13,
    },
  ];
}

export interface FunctionTrafficOptions {
  service: string;
  /** `service.version` resource attribute, e.g. a git SHA. */
  version?: string;
  /** Deployed file path written to `code.file.path` (or `code.filepath` with `legacyAttributes`). */
  file?: string;
  /** `code.function.name` (qualified). Omit both file and functionName for spans without code attributes. */
  functionName?: string;
  /** Write the deprecated `code.function`/`code.namespace`/`code.filepath` instead. */
  legacyAttributes?: boolean;
  spanName?: string;
  calls: number;
  /** How many of `calls` fail (status Error + exception event when `exception` is given). */
  errors?: number;
  /** Calls are spread evenly over [from, to). */
  from: Date;
  to: Date;
  /** Duration of call i; default 5-25 ms spread. */
  durationMs?: (i: number) => number;
  exception?: { type: string; message: string; stack: string };
  /** Every call is also the child of a root span of this name (with `http.route` when it starts with a method). */
  entrypoint?: string;
  attributes?: Record<string, string>;
  resource?: Record<string, string>;
  /** Qualified traces table; default `default.otel_traces`. */
  table?: string;
}

/**
 * Inserts `calls` spans of one function (plus root entrypoint spans when asked) and resolves
 * to the number of rows written.
 *
 * @example
 *   await seedFunctionTraffic(conn, {
 *     service: "orders", version: "4f2a9c1", file: "/usr/src/app/src/orders.js",
 *     functionName: "OrderService.checkout", calls: 200, errors: 10,
 *     from: new Date(Date.now() - 86_400_000), to: new Date(),
 *   });
 */
export async function seedFunctionTraffic(
  connection: ClickHouseConnection,
  opts: FunctionTrafficOptions,
): Promise<number> {
  const rows: Record<string, unknown>[] = [];
  const span = opts.to.getTime() - opts.from.getTime();
  const errors = opts.errors ?? 0;
  for (let i = 0; i < opts.calls; i++) {
    const timestamp = new Date(opts.from.getTime() + Math.floor((span * i) / opts.calls));
    const failed = i < errors;
    const traceId = hexId(16);
    const rootSpanId = hexId(8);
    const attributes: Record<string, string> = { ...opts.attributes };
    if (opts.functionName !== undefined) {
      if (opts.legacyAttributes) {
        const dot = opts.functionName.lastIndexOf(".");
        attributes["code.function"] =
          dot >= 0 ? opts.functionName.slice(dot + 1) : opts.functionName;
        if (dot >= 0) attributes["code.namespace"] = opts.functionName.slice(0, dot);
      } else {
        attributes["code.function.name"] = opts.functionName;
      }
    }
    if (opts.file !== undefined) {
      attributes[opts.legacyAttributes ? "code.filepath" : "code.file.path"] = opts.file;
    }
    const resource = {
      ...(opts.version ? { "service.version": opts.version } : {}),
      ...opts.resource,
    };
    rows.push(
      spanRow({
        name: opts.spanName ?? opts.functionName ?? "anonymous",
        service: opts.service,
        timestamp,
        traceId,
        parentSpanId: opts.entrypoint ? rootSpanId : "",
        attributes,
        resource,
        durationMs: opts.durationMs ? opts.durationMs(i) : 5 + (i % 21),
        status: failed ? "Error" : "Unset",
        statusMessage: failed && opts.exception ? opts.exception.message : "",
        events:
          failed && opts.exception
            ? [
                exceptionEvent(
                  opts.exception.type,
                  opts.exception.message,
                  opts.exception.stack,
                  timestamp,
                ),
              ]
            : [],
      }),
    );
    if (opts.entrypoint) {
      const [method, ...rest] = opts.entrypoint.split(" ");
      const route = rest.join(" ");
      rows.push(
        spanRow({
          name: opts.entrypoint,
          service: opts.service,
          timestamp,
          traceId,
          spanId: rootSpanId,
          kind: "Server",
          resource,
          attributes:
            route !== "" && method ? { "http.route": route, "http.request.method": method } : {},
          durationMs: 30,
          status: failed ? "Error" : "Unset",
        }),
      );
    }
  }
  const table = opts.table ?? "default.otel_traces";
  for (let start = 0; start < rows.length; start += 5000) {
    await connection.insert(table, rows.slice(start, start + 5000));
  }
  return rows.length;
}
