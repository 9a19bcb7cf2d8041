import { UserError } from "../errors.ts";

/** Text formats chDB accepts for raw inserts. */
export type RawInsertFormat =
  | "JSONEachRow"
  | "JSONCompactEachRow"
  | "CSV"
  | "CSVWithNames"
  | "TSV"
  | "TabSeparated"
  | "TSVWithNames"
  | "TabSeparatedWithNames";

export const RAW_INSERT_FORMATS: readonly RawInsertFormat[] = [
  "JSONEachRow",
  "JSONCompactEachRow",
  "CSV",
  "CSVWithNames",
  "TSV",
  "TabSeparated",
  "TSVWithNames",
  "TabSeparatedWithNames",
];

/** The part of chDB's `Session` Faultline uses. */
export interface ChdbSession {
  queryAsync(query: string, opts?: { format?: string }): Promise<{ text(): string }>;
  queryBindAsync(
    query: string,
    params: object,
    opts?: { format?: string },
  ): Promise<{ text(): string }>;
  insert(params: {
    table: string;
    values: Buffer;
    format: RawInsertFormat;
    columns?: readonly string[];
  }): Promise<{ rowsWritten: number }>;
  close(): void;
}

export type ChdbSessionConstructor = new (
  path: string,
  opts?: { connectionArgs?: readonly string[] },
) => ChdbSession;

/**
 * chDB is an optional dependency (a large native package): load it only when the embedded
 * store is actually used, and say how to get it when it is missing.
 */
export async function loadChdbSession(): Promise<ChdbSessionConstructor> {
  try {
    const chdb = (await import("chdb")) as unknown as { Session: ChdbSessionConstructor };
    return chdb.Session;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError(
      `the embedded telemetry store needs the optional package "chdb", which could not be loaded (${reason}). Install it with "npm install chdb", or point Faultline at a ClickHouse server with --clickhouse URL (or FAULTLINE_CLICKHOUSE_URL).`,
    );
  }
}
