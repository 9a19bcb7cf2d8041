/**
 * OTLP/HTTP export requests (protobuf or JSON) → rows in the clickhouseexporter layout
 * (`otel_traces`, `otel_logs`), converting values the way the exporter does: attributes
 * as strings, ids as lowercase hex, enums as `Server`/`Error`, times as DateTime64(9).
 */
import protobuf from "protobufjs";
import { OTLP_DESCRIPTOR } from "./otlp-descriptor.ts";

export type OtlpSignal = "traces" | "logs";
export type OtlpEncoding = "protobuf" | "json";

/** A payload Faultline cannot read at all: answered with 400 and this reason. */
export class OtlpBadRequest extends Error {}

export interface DecodedExport {
  rows: Record<string, unknown>[];
  /** Spans or log records dropped for bad ids; reported as `partialSuccess`. */
  rejected: number;
  rejectReason: string;
}

/** The protobufjs root of the OTLP descriptor (also used to encode requests in benchmarks). */
export const otlpProtoRoot = protobuf.Root.fromJSON(
  OTLP_DESCRIPTOR as unknown as protobuf.INamespace,
);
const requestTypes: Record<OtlpSignal, protobuf.Type> = {
  traces: otlpProtoRoot.lookupType(
    "opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest",
  ),
  logs: otlpProtoRoot.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest"),
};
const responseTypes: Record<OtlpSignal, protobuf.Type> = {
  traces: otlpProtoRoot.lookupType(
    "opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse",
  ),
  logs: otlpProtoRoot.lookupType("opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse"),
};
const statusType = otlpProtoRoot.lookupType("google.rpc.Status");

type Json = Record<string, unknown>;

/** Decodes one export request into exporter-layout rows. Throws `OtlpBadRequest`. */
export function decodeOtlpRequest(
  signal: OtlpSignal,
  body: Buffer,
  encoding: OtlpEncoding,
): DecodedExport {
  let request: Json;
  if (encoding === "protobuf") {
    try {
      const message = requestTypes[signal].decode(body);
      request = requestTypes[signal].toObject(message, {
        longs: String,
        bytes: String,
        enums: Number,
        arrays: true,
      }) as Json;
    } catch (error) {
      throw new OtlpBadRequest(
        `malformed protobuf ${signal} export request: ${(error as Error).message}`,
      );
    }
  } else {
    try {
      request = JSON.parse(body.toString("utf8")) as Json;
    } catch (error) {
      throw new OtlpBadRequest(
        `malformed JSON ${signal} export request: ${(error as Error).message}`,
      );
    }
    if (request === null || typeof request !== "object" || Array.isArray(request)) {
      throw new OtlpBadRequest(`the ${signal} export request must be a JSON object`);
    }
  }
  const ids: IdDecoding = encoding === "protobuf" ? "base64" : "hex";
  return signal === "traces" ? tracesToRows(request, ids) : logsToRows(request, ids);
}

/** The success response, with `partialSuccess` when items were rejected, in the request's encoding. */
export function encodeOtlpResponse(
  signal: OtlpSignal,
  encoding: OtlpEncoding,
  rejected: number,
  reason: string,
): Buffer {
  const countField = signal === "traces" ? "rejectedSpans" : "rejectedLogRecords";
  const body =
    rejected > 0
      ? { partialSuccess: { [countField]: String(rejected), errorMessage: reason } }
      : {};
  if (encoding === "json") return Buffer.from(JSON.stringify(body));
  const type = responseTypes[signal];
  return Buffer.from(type.encode(type.fromObject(body)).finish());
}

/** A `google.rpc.Status` error body (OTLP/HTTP failures), in the request's encoding. */
export function encodeOtlpStatus(encoding: OtlpEncoding, code: number, message: string): Buffer {
  if (encoding === "json") return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(statusType.encode(statusType.fromObject({ code, message })).finish());
}

type IdDecoding = "hex" | "base64";

function tracesToRows(request: Json, ids: IdDecoding): DecodedExport {
  const rows: Record<string, unknown>[] = [];
  let rejected = 0;
  for (const resourceSpans of arrayField(request, "resourceSpans")) {
    const resourceAttributes = attributesOf(objectField(resourceSpans, "resource"));
    const serviceName = resourceAttributes["service.name"] ?? "";
    for (const scopeSpans of arrayField(resourceSpans, "scopeSpans")) {
      const scope = objectField(scopeSpans, "scope");
      for (const span of arrayField(scopeSpans, "spans")) {
        const traceId = idOf(span.traceId, 16, ids);
        const spanId = idOf(span.spanId, 8, ids);
        if (!traceId || !spanId) {
          rejected += 1;
          continue;
        }
        const start = nanos(span.startTimeUnixNano);
        const end = nanos(span.endTimeUnixNano);
        const events = arrayField(span, "events");
        const links = arrayField(span, "links");
        const status = objectField(span, "status");
        rows.push({
          Timestamp: dateTime64(start),
          TraceId: traceId,
          SpanId: spanId,
          ParentSpanId: idOf(span.parentSpanId, 8, ids) ?? "",
          TraceState: stringOf(span.traceState),
          SpanName: stringOf(span.name),
          SpanKind: spanKindOf(span.kind),
          ServiceName: serviceName,
          ResourceAttributes: resourceAttributes,
          ScopeName: stringOf(scope.name),
          ScopeVersion: stringOf(scope.version),
          SpanAttributes: attributesOf(span),
          Duration: (end > start ? end - start : 0n).toString(),
          StatusCode: statusCodeOf(status.code),
          StatusMessage: stringOf(status.message),
          "Events.Timestamp": events.map((e) => dateTime64(nanos(e.timeUnixNano))),
          "Events.Name": events.map((e) => stringOf(e.name)),
          "Events.Attributes": events.map((e) => attributesOf(e)),
          "Links.TraceId": links.map((l) => idOf(l.traceId, 16, ids) ?? ""),
          "Links.SpanId": links.map((l) => idOf(l.spanId, 8, ids) ?? ""),
          "Links.TraceState": links.map((l) => stringOf(l.traceState)),
          "Links.Attributes": links.map((l) => attributesOf(l)),
        });
      }
    }
  }
  return {
    rows,
    rejected,
    rejectReason: rejected > 0 ? "spans with missing or malformed traceId/spanId" : "",
  };
}

function logsToRows(request: Json, ids: IdDecoding): DecodedExport {
  const rows: Record<string, unknown>[] = [];
  let rejected = 0;
  for (const resourceLogs of arrayField(request, "resourceLogs")) {
    const resourceAttributes = attributesOf(objectField(resourceLogs, "resource"));
    for (const scopeLogs of arrayField(resourceLogs, "scopeLogs")) {
      const scope = objectField(scopeLogs, "scope");
      for (const record of arrayField(scopeLogs, "logRecords")) {
        const traceId = record.traceId ? idOf(record.traceId, 16, ids) : "";
        const spanId = record.spanId ? idOf(record.spanId, 8, ids) : "";
        if (traceId === null || spanId === null) {
          rejected += 1;
          continue;
        }
        const time = nanos(record.timeUnixNano);
        rows.push({
          Timestamp: dateTime64(time > 0n ? time : nanos(record.observedTimeUnixNano)),
          TraceId: traceId,
          SpanId: spanId,
          TraceFlags: Number(record.flags ?? 0) & 0xff,
          SeverityText: stringOf(record.severityText),
          SeverityNumber: severityOf(record.severityNumber),
          ServiceName: resourceAttributes["service.name"] ?? "",
          Body: record.body === undefined ? "" : anyValueToString(record.body),
          ResourceSchemaUrl: stringOf(resourceLogs.schemaUrl),
          ResourceAttributes: resourceAttributes,
          ScopeSchemaUrl: stringOf(scopeLogs.schemaUrl),
          ScopeName: stringOf(scope.name),
          ScopeVersion: stringOf(scope.version),
          ScopeAttributes: attributesOf(scope),
          LogAttributes: attributesOf(record),
        });
      }
    }
  }
  return {
    rows,
    rejected,
    rejectReason: rejected > 0 ? "log records with malformed traceId/spanId" : "",
  };
}

function arrayField(obj: Json, key: string): Json[] {
  const value = obj[key];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new OtlpBadRequest(`"${key}" must be an array`);
  return value.filter((v): v is Json => v !== null && typeof v === "object");
}

function objectField(obj: Json, key: string): Json {
  const value = obj[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new OtlpBadRequest(`"${key}" must be an object`);
  }
  return value as Json;
}

function stringOf(value: unknown): string {
  return typeof value === "string"
    ? value
    : value === undefined || value === null
      ? ""
      : String(value);
}

/** Attributes as the exporter stores them: every value as a string. */
function attributesOf(obj: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kv of arrayField(obj, "attributes")) {
    const key = stringOf(kv.key);
    if (key !== "") out[key] = kv.value === undefined ? "" : anyValueToString(kv.value);
  }
  return out;
}

/** pcommon `Value.AsString()`: scalars as text, arrays and maps as JSON. */
function anyValueToString(value: unknown): string {
  const plain = anyValueToPlain(value);
  if (typeof plain === "string") return plain;
  if (plain === null) return "";
  if (typeof plain === "object") return JSON.stringify(plain);
  return String(plain);
}

function anyValueToPlain(value: unknown): unknown {
  if (value === null || typeof value !== "object") return null;
  const v = value as Json;
  if ("stringValue" in v) return stringOf(v.stringValue);
  if ("boolValue" in v) return v.boolValue === true || v.boolValue === "true";
  if ("intValue" in v) return stringOf(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("bytesValue" in v) return stringOf(v.bytesValue);
  if ("arrayValue" in v) {
    return arrayField(objectField(v, "arrayValue"), "values").map(anyValueToPlain);
  }
  if ("kvlistValue" in v) {
    const out: Record<string, unknown> = {};
    for (const kv of arrayField(objectField(v, "kvlistValue"), "values")) {
      out[stringOf(kv.key)] = anyValueToPlain(kv.value);
    }
    return out;
  }
  return null;
}

const HEX = /^[0-9a-fA-F]+$/;

/** Lowercase hex of an id of `bytes` bytes; "" for an absent/all-zero id; null when malformed. */
function idOf(value: unknown, bytes: number, encoding: IdDecoding): string | null {
  if (value === undefined || value === null || value === "") return "";
  if (typeof value !== "string") return null;
  let hex: string;
  if (encoding === "hex" && HEX.test(value) && value.length === bytes * 2) {
    hex = value.toLowerCase();
  } else {
    const decoded = Buffer.from(value, "base64");
    if (decoded.length !== bytes) return null;
    hex = decoded.toString("hex");
  }
  return /^0+$/.test(hex) ? "" : hex;
}

function nanos(value: unknown): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isFinite(value)) return BigInt(Math.trunc(value));
  if (typeof value === "string" && /^\d+$/.test(value)) return BigInt(value);
  return 0n;
}

/** DateTime64(9) from Unix nanoseconds, timezone-free: `<seconds>.<nanos>`. */
export function dateTime64(ns: bigint): string {
  const seconds = ns / 1_000_000_000n;
  const rest = ns % 1_000_000_000n;
  return `${seconds}.${rest.toString().padStart(9, "0")}`;
}

const SPAN_KINDS = ["Unspecified", "Internal", "Server", "Client", "Producer", "Consumer"];
const STATUS_CODES = ["Unset", "Ok", "Error"];

function spanKindOf(kind: unknown): string {
  if (typeof kind === "string") {
    const name = kind.replace(/^SPAN_KIND_/, "");
    return SPAN_KINDS.find((k) => k.toUpperCase() === name) ?? "Unspecified";
  }
  return SPAN_KINDS[Number(kind ?? 0)] ?? "Unspecified";
}

function statusCodeOf(code: unknown): string {
  if (typeof code === "string") {
    const name = code.replace(/^STATUS_CODE_/, "");
    return STATUS_CODES.find((c) => c.toUpperCase() === name) ?? "Unset";
  }
  return STATUS_CODES[Number(code ?? 0)] ?? "Unset";
}

function severityOf(value: unknown): number {
  const n = typeof value === "number" ? value : Number.parseInt(stringOf(value), 10);
  return Number.isInteger(n) && n >= 0 && n <= 24 ? n : 0;
}
