import { readFileSync } from "node:fs";
import { ClickHouseLogLevel, createClient } from "@clickhouse/client";
import { TelemetryUnavailableError } from "../errors.ts";
import type { ClickHouseConnection } from "./types.ts";

export interface ServerConnectionOptions {
  /** e.g. `https://clickhouse.internal:8443`. */
  url: string;
  username?: string;
  password?: string;
  /** Default database for unqualified names; Faultline qualifies its own. */
  database?: string;
  /** Per-request timeout; default 30 s. */
  requestTimeoutMs?: number;
  /** Custom CA (and optional client certificate) as PEM file paths. */
  tls?: { caCertPath: string; certPath?: string; keyPath?: string };
}

/**
 * Connects to a ClickHouse server over HTTP(S) with `@clickhouse/client` and checks it
 * answers. Parameters travel as `query_params` (`param_*`), never inside the SQL.
 *
 * @example
 *   const conn = await openServerConnection({ url: "http://localhost:8123", username: "default" });
 */
export async function openServerConnection(
  opts: ServerConnectionOptions,
): Promise<ClickHouseConnection> {
  const tls = opts.tls
    ? {
        ca_cert: readFileSync(opts.tls.caCertPath),
        ...(opts.tls.certPath && opts.tls.keyPath
          ? { cert: readFileSync(opts.tls.certPath), key: readFileSync(opts.tls.keyPath) }
          : {}),
      }
    : undefined;
  const client = createClient({
    url: opts.url,
    username: opts.username ?? "default",
    password: opts.password ?? "",
    database: opts.database ?? "default",
    request_timeout: opts.requestTimeoutMs ?? 30_000,
    // Failures surface as errors to the caller; the client's own console logging would duplicate them.
    log: { level: ClickHouseLogLevel.OFF },
    ...(tls ? { tls } : {}),
  });
  const ping = await client.ping();
  if (!ping.success) {
    await client.close();
    const reason = ping.error instanceof Error ? ping.error.message : String(ping.error);
    throw new TelemetryUnavailableError(
      `could not reach ClickHouse at ${redactUrl(opts.url)} (${reason}). Check --clickhouse / FAULTLINE_CLICKHOUSE_URL and that the server is up.`,
    );
  }
  return {
    kind: "server",
    async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>) {
      const result = await client.query({
        query: sql,
        format: "JSONEachRow",
        ...(params ? { query_params: params } : {}),
      });
      return result.json<T>();
    },
    async command(sql, params) {
      await client.command({ query: sql, ...(params ? { query_params: params } : {}) });
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await client.insert({ table, values: [...rows], format: "JSONEachRow" });
    },
    close: () => client.close(),
  };
}

/** URLs may carry credentials (`https://user:pass@host`): never print them. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "<invalid url>";
  }
}
