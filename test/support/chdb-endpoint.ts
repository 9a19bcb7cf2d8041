/**
 * chDB (embedded ClickHouse) in a fresh temp dir, served over ClickHouse's HTTP interface
 * on 127.0.0.1: what the Action, the App and hosted mode talk to in tests.
 *
 * @example
 * const ch = await startChdbEndpoint("faultline-app-chdb-", migrateDefaultTables);
 * await seedFunctionTraffic(ch.connection, { ... });
 * // ... clickhouse url: ch.url ...
 * await ch.close();
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startClickHouseHttpServer } from "../../src/telemetry/clickhouse-http-server.ts";
import {
  type EmbeddedConnection,
  openEmbeddedConnection,
} from "../../src/telemetry/embedded-connection.ts";
import { migrate } from "../../src/telemetry/migrations.ts";
import { tableNames } from "../../src/telemetry/table-names.ts";

export interface ChdbEndpoint {
  /** The database behind the endpoint: seed it directly. */
  connection: EmbeddedConnection;
  /** e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** Stops the endpoint, closes chDB and removes its directory. */
  close(): Promise<void>;
}

/**
 * Opens chDB in a new temp dir named `prefix…`, runs `setup` on it (tables, rows), then
 * starts the HTTP endpoint.
 */
export async function startChdbEndpoint(
  prefix: string,
  setup?: (connection: EmbeddedConnection) => Promise<void>,
): Promise<ChdbEndpoint> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const connection = await openEmbeddedConnection(dir);
  await setup?.(connection);
  const server = await startClickHouseHttpServer({ connection });
  return {
    connection,
    url: server.url,
    async close() {
      await server.close();
      await connection.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The OTel Collector exporter's default tables (`default.otel_traces`, `default.otel_logs`). */
export async function migrateDefaultTables(connection: EmbeddedConnection): Promise<void> {
  await migrate(
    connection,
    tableNames({ database: "default", tracesTable: "otel_traces", logsTable: "otel_logs" }),
  );
}
