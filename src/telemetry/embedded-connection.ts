import { mkdirSync } from "node:fs";
import { TelemetryUnavailableError } from "../errors.ts";
import { type ChdbSession, loadChdbSession, type RawInsertFormat } from "./load-chdb.ts";
import { parseJsonEachRow, toJsonEachRow } from "./parse-json-each-row.ts";
import type { ClickHouseConnection } from "./types.ts";

/** An embedded connection can also answer raw queries in any output format (for the HTTP endpoint). */
export interface EmbeddedConnection extends ClickHouseConnection {
  readonly kind: "embedded";
  readonly dataDir: string;
  /** Runs one statement and returns chDB's output in `format` verbatim. */
  queryText(sql: string, params: Record<string, unknown>, format: string): Promise<string>;
  /** Inserts a raw payload (`INSERT INTO <table> [(<columns>)] FORMAT <format>`); resolves to rows written. */
  insertRaw(
    table: string,
    body: Buffer,
    format: RawInsertFormat,
    columns?: readonly string[],
  ): Promise<number>;
}

/**
 * Opens the embedded ClickHouse (chDB) database stored in `dataDir`. chDB allows one data
 * directory per process and its parameter binding is not safe under concurrency, so every
 * statement runs through one queue.
 *
 * @example
 *   const conn = await openEmbeddedConnection(".faultline");
 *   await conn.query("SELECT {n:UInt32} + 1 AS x", { n: 41 }); // [{ x: 42 }]
 */
export async function openEmbeddedConnection(dataDir: string): Promise<EmbeddedConnection> {
  const Session = await loadChdbSession();
  mkdirSync(dataDir, { recursive: true });
  let session: ChdbSession;
  try {
    // JIT-compiled expressions mis-handle LowCardinality predicates in this engine version
    // ("Invalid cast from LowCardinality(UInt8)" once a query has run a few times).
    session = new Session(dataDir, { connectionArgs: ["--compile_expressions=0"] });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TelemetryUnavailableError(
      `could not open the embedded telemetry database in ${dataDir} (${reason}). Only one process can open it: stop the other Faultline process, or use "faultline collect" and let other commands reach it over HTTP.`,
    );
  }
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;
  const serial = <T>(run: () => Promise<T>): Promise<T> => {
    const next = tail.then(() => {
      if (closed) throw new TelemetryUnavailableError("the embedded telemetry store is closed");
      return run();
    });
    tail = next.catch(() => undefined);
    return next;
  };
  const run = (sql: string, params: Record<string, unknown> | undefined, format: string) =>
    serial(async () => {
      const result =
        params && Object.keys(params).length > 0
          ? await session.queryBindAsync(sql, params, { format })
          : await session.queryAsync(sql, { format });
      return result.text();
    });

  return {
    kind: "embedded",
    dataDir,
    async query<T = Record<string, unknown>>(sql: string, params?: Record<string, unknown>) {
      return parseJsonEachRow<T>(await run(sql, params, "JSONEachRow"));
    },
    async command(sql, params) {
      await run(sql, params, "CSV");
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      await serial(() =>
        session.insert({
          table,
          values: Buffer.from(toJsonEachRow(rows)),
          format: "JSONEachRow",
        }),
      );
    },
    queryText: (sql, params, format) => run(sql, params, format),
    async insertRaw(table, body, format, columns) {
      if (body.length === 0) return 0;
      const summary = await serial(() =>
        session.insert({ table, values: body, format, ...(columns ? { columns } : {}) }),
      );
      return summary.rowsWritten;
    },
    async close() {
      await tail;
      if (closed) return;
      closed = true;
      session.close();
    },
  };
}
