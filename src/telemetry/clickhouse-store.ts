import type { Config } from "../config.ts";
import { redactText } from "../scenarios/redact.ts";
import { existingTables, migrate, schemaStatus, unqualified } from "./migrations.ts";
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

  // Which tables exist decides between rollups and raw scans. Once the spans table and every
  // rollup are there, that is remembered (one round trip less per lookup) until a lookup
  // fails, so tables dropped meanwhile are noticed by the next one.
  let complete: Set<string> | null = null;
  const existing = async (): Promise<Set<string>> => {
    if (complete) return complete;
    const present = await existingTables(connection, tables.database);
    const all = [unqualified(tables.traces), ...OWN_TABLES].every((name) => present.has(name));
    if (all) complete = present;
    return present;
  };
  const forgetTablesOnError = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      complete = null;
      throw error;
    }
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
    functionTelemetry: (request) =>
      forgetTablesOnError(async () => {
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
      }),
    inputSamples: (request) =>
      forgetTablesOnError(async () => {
        const present = await existing();
        if (!present.has(unqualified(tables.traces))) return [];
        return queryInputSamples(connection, tables, await mapperFor(request), request);
      }),
    close: () => connection.close(),
  };
}
