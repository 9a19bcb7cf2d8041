import type { Config } from "../config.ts";
import { redactText } from "../scenarios/redact.ts";
import {
  currentVersion,
  existingTables,
  LATEST_SCHEMA_VERSION,
  migrate,
  schemaStatus,
  unqualified,
} from "./migrations.ts";
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

/** The store's tables as last seen: which exist, and the schema version recorded. */
interface Layout {
  present: Set<string>;
  version: number | null;
}

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

  // Which tables exist, at which schema version, decides between rollups and raw scans. Once
  // the spans table and every rollup are there at this version, that is remembered (round
  // trips less per lookup) until a lookup fails, so tables dropped meanwhile are noticed.
  let complete: Layout | null = null;
  const layout = async (): Promise<Layout> => {
    if (complete) return complete;
    const present = await existingTables(connection, tables.database);
    const found = { present, version: await currentVersion(connection, tables, present) };
    const all = [unqualified(tables.traces), ...OWN_TABLES].every((name) => present.has(name));
    if (all && found.version === LATEST_SCHEMA_VERSION) complete = found;
    return found;
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
        const { present, version } = await layout();
        const notices: string[] = [];
        if (!present.has(unqualified(tables.traces))) {
          notices.push(
            `no spans table ${tables.database}.${unqualified(tables.traces)}: nothing to report from production (check telemetry.database / tracesTable, or run "faultline db init").`,
          );
          return { functions: new Map(), notices };
        }
        const ownTables = OWN_TABLES.every((name) => present.has(name));
        // Rollups another Faultline version laid out may not have the columns this one reads.
        const rollups = ownTables && version === LATEST_SCHEMA_VERSION;
        if (!ownTables) {
          notices.push(
            `Faultline's rollup tables are missing in ${tables.database} (run "faultline db init"): scanned raw spans instead, which is slower.`,
          );
        } else if (!rollups) {
          notices.push(
            `Faultline's rollup tables in ${tables.database} are at schema version ${version ?? "unknown"}, and this Faultline reads version ${LATEST_SCHEMA_VERSION} (run "faultline db init" to migrate them): scanned raw spans instead, which is slower.`,
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
              rollups ? "rollup" : "raw",
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
        const { present } = await layout();
        if (!present.has(unqualified(tables.traces))) return [];
        return queryInputSamples(connection, tables, await mapperFor(request), request);
      }),
    close: () => connection.close(),
  };
}
