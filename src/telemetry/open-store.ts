import { join } from "node:path";
import type { Config } from "../config.ts";
import { createClickHouseStore } from "./clickhouse-store.ts";
import { readLiveCollectorLock } from "./collector-lock.ts";
import { openEmbeddedConnection } from "./embedded-connection.ts";
import { openServerConnection, type ServerConnectionOptions } from "./server-connection.ts";
import type { ClickHouseConnection, FrameLocator, TelemetryStore } from "./types.ts";

export interface OpenTelemetryStoreOptions {
  config: Config;
  /** A ClickHouse server; absent = the embedded store in `dataDir`. */
  clickhouse?: ServerConnectionOptions;
  /** Embedded data directory; default `<cwd>/.faultline`. */
  dataDir?: string;
  locator?: FrameLocator;
  /** Redaction of exception text shown to users; default `redactText` from src/scenarios/redact.ts. */
  redact?: (text: string) => string;
}

/** Where the embedded chDB database lives inside a data directory. */
export const embeddedDatabaseDir = (dataDir: string): string => join(dataDir, "chdb");

/**
 * Opens the telemetry store: a ClickHouse server when `clickhouse` is given, else the
 * embedded chDB store under `dataDir`. chDB belongs to one process, so when
 * `faultline collect` is running on that directory (its lock file names a live pid) the
 * store reaches the data through the collector's ClickHouse HTTP endpoint instead.
 *
 * @example
 *   const store = await openTelemetryStore({ config, dataDir: ".faultline" });
 *   const result = await store.functionTelemetry({ functions, window });
 *   await store.close();
 */
export async function openTelemetryStore(
  opts: OpenTelemetryStoreOptions,
): Promise<TelemetryStore & { connection: ClickHouseConnection }> {
  const connection = await openConnection(opts);
  return createClickHouseStore({
    connection,
    config: opts.config,
    ...(opts.locator ? { locator: opts.locator } : {}),
    ...(opts.redact ? { redact: opts.redact } : {}),
  });
}

async function openConnection(opts: OpenTelemetryStoreOptions): Promise<ClickHouseConnection> {
  if (opts.clickhouse) return openServerConnection(opts.clickhouse);
  const dataDir = opts.dataDir ?? join(process.cwd(), ".faultline");
  const collector = readLiveCollectorLock(dataDir);
  if (collector && collector.pid !== process.pid) {
    return openServerConnection({ url: collector.clickhouseUrl });
  }
  return openEmbeddedConnection(embeddedDatabaseDir(dataDir));
}
