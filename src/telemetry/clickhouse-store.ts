import type { Config } from "../config.ts";
import { redactText } from "../scenarios/redact.ts";
import { migrate, schemaStatus, unqualified } from "./migrations.ts";
import { createPathMapper } from "./path-mapper.ts";
import { queryFunctionTelemetry } from "./query-function-telemetry.ts";
import { queryInputSamples } from "./query-input-samples.ts";
import { OWN_TABLES, tableNames } from "./table-names.ts";
import { telemetrySources } from "./telemetry-sources.ts";
import type {
  ClickHouseConnection,
  FrameLocator,
  TelemetryRequest,
  TelemetryStore,
} from "./types.ts";

export interface ClickHouseStoreOptions {
  connection: ClickHouseConnection;
  config: Config;
  /** Ties exception stack frames to functions at the deployed commit; without it, names only. */
  locator?: FrameLocator;
  /** Applied to exception messages, stacks and incident text shown to users; default `redactText`. */
  redact?: (text: string) => string;
}

/**
 * A `TelemetryStore` over any ClickHouse connection (server or embedded): reads the
 * exporter tables and Faultline's rollups, falling back to raw scans when the rollups are
 * missing (and saying so in `notices`).
 */
export function createClickHouseStore(opts: ClickHouseStoreOptions): TelemetryStore & {
  connection: ClickHouseConnection;
} {
  const { connection, config } = opts;
  const tables = tableNames(config.telemetry);
  const redact = opts.redact ?? ((text: string) => redactText(text));

  const existing = async (): Promise<Set<string>> => {
    const rows = await connection.query<{ name: string }>(
      "SELECT name FROM system.tables WHERE database = {db:String}",
      { db: tables.database },
    );
    return new Set(rows.map((r) => r.name));
  };

  const mapperFor = async (request: TelemetryRequest) => {
    const repoFiles = opts.locator ? await opts.locator.repoFiles() : [];
    const files = [...new Set([...repoFiles, ...request.functions.map((f) => f.file)])];
    return createPathMapper(files, config.pathMappings);
  };

  return {
    connection,
    init: () => migrate(connection, tables),
    status: () => schemaStatus(connection, tables),
    async functionTelemetry(request) {
      const present = await existing();
      const notices: string[] = [];
      if (!present.has(unqualified(tables.traces))) {
        notices.push(
          `no spans table ${tables.database}.${unqualified(tables.traces)}: nothing to report from production (check telemetry.database / tracesTable, or run "faultline db init").`,
        );
        return { functions: new Map(), notices };
      }
      const ownTables = OWN_TABLES.every((name) => present.has(name));
      if (!ownTables) {
        notices.push(
          `Faultline's rollup tables are missing in ${tables.database} (run "faultline db init"): scanned raw spans instead, which is slower.`,
        );
      }
      if (!opts.locator) {
        notices.push(
          "exception stacks were matched to functions by file and name only (no source locator).",
        );
      }
      return queryFunctionTelemetry(
        {
          connection,
          tables,
          sources: telemetrySources(
            tables,
            ownTables ? "rollup" : "raw",
            present.has(unqualified(tables.logs)),
          ),
          mapPath: await mapperFor(request),
          ...(opts.locator ? { locator: opts.locator } : {}),
          redact,
          ownTables,
          notices,
        },
        request,
      );
    },
    async inputSamples(request) {
      const present = await existing();
      if (!present.has(unqualified(tables.traces))) return [];
      return queryInputSamples(connection, tables, await mapperFor(request), request);
    },
    close: () => connection.close(),
  };
}
