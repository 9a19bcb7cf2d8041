/**
 * The OTLP/HTTP receiver behind `faultline collect`: `POST /v1/traces` and `/v1/logs`,
 * protobuf or JSON, optionally gzip; accepted rows are queued and written in batches; a
 * full queue answers 429 (clients retry); `close()` stops accepting and flushes everything
 * accepted before it resolves.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import type { ClickHouseConnection } from "../types.ts";
import {
  decodeOtlpRequest,
  encodeOtlpResponse,
  encodeOtlpStatus,
  OtlpBadRequest,
  type OtlpEncoding,
  type OtlpSignal,
} from "./decode-otlp.ts";

const gunzipAsync = promisify(gunzip);

export interface OtlpReceiverOptions {
  connection: ClickHouseConnection;
  /** Unquoted `database.table` names to write to. */
  tracesTable: string;
  logsTable: string;
  /** 0 or absent: any free port. Default host 127.0.0.1. */
  port?: number;
  host?: string;
  /** Rows waiting to be written before new requests get 429 (default 200,000). */
  maxQueueRows?: number;
  /** Rows per insert (default 20,000). */
  batchRows?: number;
  /** Longest a row waits before it is written (default 1 s). */
  flushIntervalMs?: number;
  /** Largest accepted request body after decompression (default 32 MiB). */
  maxBodyBytes?: number;
  /** Insert failures (rows are kept and retried). */
  onError?: (message: string) => void;
}

export interface OtlpReceiverStats {
  acceptedSpans: number;
  acceptedLogRecords: number;
  rejectedItems: number;
  writtenRows: number;
  queuedRows: number;
  badRequests: number;
  throttled: number;
}

export interface OtlpReceiver {
  url: string;
  port: number;
  stats(): OtlpReceiverStats;
  /** Writes everything queued so far. */
  flush(): Promise<void>;
  /** Stops accepting requests, then flushes; nothing accepted is lost. */
  close(): Promise<void>;
}

/**
 * @example
 *   const receiver = await startOtlpReceiver({ connection, tracesTable: "default.otel_traces",
 *     logsTable: "default.otel_logs", port: 4318 });
 *   // OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318 node app.js
 */
export async function startOtlpReceiver(opts: OtlpReceiverOptions): Promise<OtlpReceiver> {
  const maxQueueRows = opts.maxQueueRows ?? 200_000;
  const batchRows = opts.batchRows ?? 20_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const queues: Record<OtlpSignal, Record<string, unknown>[]> = { traces: [], logs: [] };
  const tables: Record<OtlpSignal, string> = { traces: opts.tracesTable, logs: opts.logsTable };
  const stats: OtlpReceiverStats = {
    acceptedSpans: 0,
    acceptedLogRecords: 0,
    rejectedItems: 0,
    writtenRows: 0,
    queuedRows: 0,
    badRequests: 0,
    throttled: 0,
  };
  let flushing: Promise<void> | null = null;
  let closed = false;

  const queued = () => queues.traces.length + queues.logs.length;

  const writeQueued = async (): Promise<void> => {
    for (const signal of ["traces", "logs"] as const) {
      while (queues[signal].length > 0) {
        const batch = queues[signal].splice(0, batchRows);
        try {
          await opts.connection.insert(tables[signal], batch);
          stats.writtenRows += batch.length;
        } catch (error) {
          // Keep the rows: they were acknowledged to the client.
          queues[signal].unshift(...batch);
          opts.onError?.(
            `writing ${batch.length} ${signal} rows failed, will retry: ${(error as Error).message}`,
          );
          throw error;
        }
      }
    }
  };

  const flush = (): Promise<void> => {
    if (!flushing) {
      flushing = writeQueued().finally(() => {
        flushing = null;
      });
    }
    return flushing;
  };

  const timer = setInterval(() => {
    if (queued() > 0) flush().catch(() => undefined);
  }, opts.flushIntervalMs ?? 1000);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      reply(res, 500, "json", encodeOtlpStatus("json", 13, (error as Error).message));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0];
    const signal: OtlpSignal | null =
      path === "/v1/traces" ? "traces" : path === "/v1/logs" ? "logs" : null;
    const contentType = String(req.headers["content-type"] ?? "").toLowerCase();
    const encoding: OtlpEncoding = contentType.includes("json") ? "json" : "protobuf";
    if (!signal) {
      req.resume();
      reply(
        res,
        404,
        encoding,
        encodeOtlpStatus(encoding, 5, `no OTLP endpoint at ${path}: use /v1/traces or /v1/logs`),
      );
      return;
    }
    if (req.method !== "POST") {
      req.resume();
      reply(res, 405, encoding, encodeOtlpStatus(encoding, 12, "use POST"));
      return;
    }
    if (!contentType.includes("json") && !contentType.includes("protobuf")) {
      req.resume();
      stats.badRequests += 1;
      reply(
        res,
        415,
        "json",
        encodeOtlpStatus(
          "json",
          3,
          `unsupported content type "${contentType}": send application/x-protobuf or application/json`,
        ),
      );
      return;
    }
    if (closed) {
      req.resume();
      reply(res, 503, encoding, encodeOtlpStatus(encoding, 14, "the receiver is shutting down"));
      return;
    }
    const body = await readBody(req, maxBodyBytes);
    if (typeof body === "string") {
      stats.badRequests += 1;
      reply(
        res,
        body.startsWith("request body larger") ? 413 : 400,
        encoding,
        encodeOtlpStatus(encoding, 3, body),
      );
      return;
    }
    let decoded: ReturnType<typeof decodeOtlpRequest>;
    try {
      decoded = decodeOtlpRequest(signal, body, encoding);
    } catch (error) {
      if (!(error instanceof OtlpBadRequest)) throw error;
      stats.badRequests += 1;
      reply(res, 400, encoding, encodeOtlpStatus(encoding, 3, error.message));
      return;
    }
    if (queued() + decoded.rows.length > maxQueueRows) {
      stats.throttled += 1;
      flush().catch(() => undefined);
      res.setHeader("Retry-After", "1");
      reply(
        res,
        429,
        encoding,
        encodeOtlpStatus(encoding, 8, "the receiver's write queue is full: retry shortly"),
      );
      return;
    }
    queues[signal].push(...decoded.rows);
    if (signal === "traces") stats.acceptedSpans += decoded.rows.length;
    else stats.acceptedLogRecords += decoded.rows.length;
    stats.rejectedItems += decoded.rejected;
    if (queued() >= batchRows) flush().catch(() => undefined);
    reply(
      res,
      200,
      encoding,
      encodeOtlpResponse(signal, encoding, decoded.rejected, decoded.rejectReason),
    );
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;

  return {
    url: `http://${address.address}:${address.port}`,
    port: address.port,
    stats: () => ({ ...stats, queuedRows: queued() }),
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      // Drain: keep retrying until everything accepted is written (bounded by the caller's patience).
      for (let attempt = 0; queued() > 0 || flushing; attempt++) {
        try {
          await flush();
        } catch {
          if (attempt >= 10) throw new Error(`could not write ${queued()} accepted rows`);
          await new Promise((r) => setTimeout(r, 200 * (attempt + 1)));
        }
      }
    },
  };
}

function reply(res: ServerResponse, status: number, encoding: OtlpEncoding, body: Buffer): void {
  res
    .writeHead(status, {
      "Content-Type": encoding === "json" ? "application/json" : "application/x-protobuf",
      "Content-Length": body.length,
    })
    .end(body);
}

/** The body, gunzipped when sent with gzip; a string is the reason it was refused. */
async function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | string> {
  const chunks: Buffer[] = [];
  let size = 0;
  // Read to the end even when too large, so the client still gets the 413.
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= maxBytes) chunks.push(chunk as Buffer);
  }
  if (size > maxBytes) return `request body larger than ${maxBytes} bytes`;
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding === "identity" || encoding === "") return raw;
  if (encoding !== "gzip") return `unsupported content encoding "${encoding}": use gzip or none`;
  try {
    const body = await gunzipAsync(raw, { maxOutputLength: maxBytes });
    return body;
  } catch (error) {
    return `cannot gunzip the request body: ${(error as Error).message}`;
  }
}
