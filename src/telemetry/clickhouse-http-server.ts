/**
 * The subset of the ClickHouse HTTP interface that `@clickhouse/client` uses, served over an
 * embedded chDB connection. `faultline collect` runs it so other commands can reach the
 * embedded store (one process owns chDB), and tests use it to exercise the real client.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync, gzipSync } from "node:zlib";
import { declaredParamTypes, decodeParamValue } from "./clickhouse-param-value.ts";
import type { EmbeddedConnection } from "./embedded-connection.ts";
import { RAW_INSERT_FORMATS, type RawInsertFormat } from "./load-chdb.ts";

export interface ClickHouseHttpServer {
  /** e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
}

export interface ClickHouseHttpServerOptions {
  connection: EmbeddedConnection;
  /** 0 or absent: any free port. */
  port?: number;
  host?: "127.0.0.1";
}

/**
 * Starts the endpoint. Answers `/ping`, `POST`/`GET` queries (`query` parameter and/or body),
 * `param_*` bindings, `database`, `default_format` and `FORMAT` clauses, `INSERT ... FORMAT`
 * with a data body, gzip request bodies and (with `enable_http_compression=1`) responses, and
 * errors as ClickHouse does: `Code: N. DB::Exception: ...` with `X-ClickHouse-Exception-Code`.
 *
 * @example
 *   const endpoint = await startClickHouseHttpServer({ connection });
 *   const client = createClient({ url: endpoint.url });
 */
export async function startClickHouseHttpServer(
  opts: ClickHouseHttpServerOptions,
): Promise<ClickHouseHttpServer> {
  // ClickHouse accepts URLs up to 1 MiB (http_max_uri_size); parameters travel in the URL.
  const server = createServer({ maxHeaderSize: 1 << 20 }, (req, res) => {
    handle(opts.connection, req, res).catch((error: unknown) => {
      sendException(res, error);
    });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, opts.host ?? "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.address}:${address.port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const INSERT_RE =
  /^\s*INSERT\s+INTO\s+(?:TABLE\s+)?([`"\w.]+)\s*(?:\(([^)]*)\))?\s*FORMAT\s+(\w+)[ \t]*\r?\n?/i;
const FORMAT_CLAUSE_RE = /\bFORMAT\s+(\w+)\s*;?\s*$/i;

async function handle(
  connection: EmbeddedConnection,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname === "/ping" || (url.pathname === "/" && req.method === "HEAD")) {
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end("Ok.\n");
    return;
  }
  if (url.pathname !== "/") {
    sendError(res, 404, 0, `There is no handle ${url.pathname}`);
    return;
  }
  const search = url.searchParams;
  const body = await readBody(req);
  const queryParam = search.get("query") ?? "";
  if (queryParam === "" && body.length === 0) {
    res.writeHead(200, { "Content-Type": "text/plain; charset=UTF-8" }).end("Ok.\n");
    return;
  }
  const queryId = search.get("query_id") ?? randomUUID();
  const database = search.get("database");
  const insert = INSERT_RE.exec(queryParam !== "" ? queryParam : body.toString("utf8"));
  if (insert) {
    const [head, table = "", columns, format = ""] = insert;
    const data =
      queryParam !== ""
        ? Buffer.concat([Buffer.from(queryParam.slice(head.length)), body])
        : body.subarray(Buffer.byteLength(head));
    if (!RAW_INSERT_FORMATS.includes(format as RawInsertFormat)) {
      sendError(res, 400, 73, `Unknown or unsupported input format ${format}. (UNKNOWN_FORMAT)`);
      return;
    }
    const plainTable = table.replaceAll("`", "").replaceAll('"', "");
    const qualified =
      plainTable.includes(".") || !database ? plainTable : `${database}.${plainTable}`;
    const columnList = columns
      ?.split(",")
      .map((c) => c.trim().replaceAll("`", ""))
      .filter((c) => c !== "");
    const written = await connection.insertRaw(
      qualified,
      data,
      format as RawInsertFormat,
      columnList && columnList.length > 0 ? columnList : undefined,
    );
    send(req, res, search, queryId, "", "", written);
    return;
  }
  const sql =
    queryParam !== "" ? (body.length > 0 ? `${queryParam}\n${body}` : queryParam) : `${body}`;
  const format = FORMAT_CLAUSE_RE.exec(sql)?.[1] ?? search.get("default_format") ?? "TabSeparated";
  const types = declaredParamTypes(sql);
  const params: Record<string, unknown> = {};
  for (const [key, value] of search) {
    if (!key.startsWith("param_")) continue;
    const name = key.slice("param_".length);
    params[name] = decodeParamValue(types.get(name), value);
  }
  const withSettings = applySettings(sql, search);
  const statement = database
    ? `USE \`${database.replaceAll("`", "")}\`; ${withSettings}`
    : withSettings;
  const output = await connection.queryText(statement, params, format);
  send(req, res, search, queryId, output, format, 0);
}

/** URL parameters that are part of the HTTP protocol rather than query settings. */
const PROTOCOL_PARAMS = new Set([
  "query",
  "query_id",
  "database",
  "default_format",
  "session_id",
  "session_timeout",
  "session_check",
  "compress",
  "decompress",
  "enable_http_compression",
  "user",
  "password",
  "quota_key",
  "role",
  "buffer_size",
  "wait_end_of_query",
  "http_headers_progress_interval_ms",
  "send_progress_in_http_headers",
]);

/** Query settings sent as URL parameters become a SETTINGS clause of a SELECT (before FORMAT). */
function applySettings(sql: string, search: URLSearchParams): string {
  const settings: string[] = [];
  for (const [key, value] of search) {
    if (key.startsWith("param_") || PROTOCOL_PARAMS.has(key) || !/^[a-z_][a-z0-9_]*$/i.test(key)) {
      continue;
    }
    const literal = /^-?\d+(\.\d+)?$/.test(value)
      ? value
      : `'${value.replaceAll("\\", "\\\\").replaceAll("'", "\\'")}'`;
    settings.push(`${key} = ${literal}`);
  }
  if (settings.length === 0 || !/^\s*(SELECT|WITH)\b/i.test(sql) || /\bSETTINGS\b/i.test(sql)) {
    return sql;
  }
  const format = /\s+FORMAT\s+\w+\s*;?\s*$/i.exec(sql);
  const head = format ? sql.slice(0, format.index) : sql.replace(/;\s*$/, "");
  return `${head} SETTINGS ${settings.join(", ")}${format ? format[0] : ""}`;
}

function send(
  req: IncomingMessage,
  res: ServerResponse,
  search: URLSearchParams,
  queryId: string,
  output: string,
  format: string,
  writtenRows: number,
): void {
  const headers: Record<string, string> = {
    "Content-Type": contentTypeOf(format),
    "X-ClickHouse-Query-Id": queryId,
    "X-ClickHouse-Timezone": "UTC",
    "X-ClickHouse-Summary": JSON.stringify({
      read_rows: "0",
      read_bytes: "0",
      written_rows: String(writtenRows),
      written_bytes: "0",
      total_rows_to_read: "0",
      result_rows: "0",
      result_bytes: "0",
      elapsed_ns: "0",
    }),
  };
  if (format !== "") headers["X-ClickHouse-Format"] = format;
  let payload: Buffer = Buffer.from(output);
  const gzipAllowed = /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
  if (search.get("enable_http_compression") === "1" && gzipAllowed) {
    payload = gzipSync(payload);
    headers["Content-Encoding"] = "gzip";
  }
  res.writeHead(200, headers).end(payload);
}

function contentTypeOf(format: string): string {
  if (/^JSON/i.test(format)) return "application/json; charset=UTF-8";
  if (/^CSV/i.test(format)) return "text/csv; charset=UTF-8";
  return "text/tab-separated-values; charset=UTF-8";
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  const encoding = String(req.headers["content-encoding"] ?? "").toLowerCase();
  return encoding === "gzip" ? gunzipSync(raw) : raw;
}

/** ClickHouse answers 404 for unknown tables and databases, 400 for bad queries, else 500. */
const STATUS_BY_CODE = new Map<number, number>([
  [60, 404],
  [81, 404],
  [62, 400],
  [47, 400],
  [36, 400],
  [27, 400],
  [26, 400],
  [6, 400],
  [38, 400],
  [41, 400],
  [43, 400],
  [53, 400],
  [117, 400],
  [456, 400],
  [457, 400],
  [516, 401],
]);

function sendException(res: ServerResponse, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  const codeFromMessage = /Code:\s*(\d+)/.exec(message)?.[1];
  const clickhouseCode =
    typeof (error as { clickhouseCode?: unknown }).clickhouseCode === "number"
      ? (error as { clickhouseCode: number }).clickhouseCode
      : codeFromMessage
        ? Number(codeFromMessage)
        : 1001;
  const text = /DB::Exception/.test(message)
    ? message.replace(/^.*?(Code:\s*\d+\.\s*DB::Exception)/s, "$1")
    : `${message} (STD_EXCEPTION)`;
  sendError(res, STATUS_BY_CODE.get(clickhouseCode) ?? 500, clickhouseCode, text);
}

function sendError(res: ServerResponse, status: number, code: number, text: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = text.startsWith("Code:") ? text : `Code: ${code}. DB::Exception: ${text}`;
  res
    .writeHead(status, {
      "Content-Type": "text/plain; charset=UTF-8",
      "X-ClickHouse-Exception-Code": String(code),
    })
    .end(`${body} (version chdb)\n`);
}
