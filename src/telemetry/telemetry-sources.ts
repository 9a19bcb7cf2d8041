/**
 * Where the function queries read from: Faultline's rollup tables, or — when they are
 * missing — the same aggregates computed on the fly from the raw exporter tables.
 */
import {
  exceptionHourlySelect,
  exceptionStacksSelect,
  functionHourlySelect,
  functionKeysSelect,
  serviceHourlySelect,
  traceEntrypointsSelect,
} from "./schema.ts";
import type { TableNames } from "./table-names.ts";

export interface TelemetrySources {
  kind: "rollup" | "raw";
  functionKeys: string;
  functionHourly: string;
  exceptionStacks: string;
  exceptionHourly: string;
  traceEntrypoints: string;
  serviceHourly: string;
}

/** Raw scans read spans from the start of the previous window's first hour up to `to`. */
export const RAW_TIME_FILTER =
  "Timestamp >= {prevFromH:DateTime('UTC')} AND Timestamp < {toS:DateTime('UTC')}";

export function telemetrySources(
  tables: TableNames,
  kind: "rollup" | "raw",
  hasLogs: boolean,
): TelemetrySources {
  if (kind === "rollup") {
    return {
      kind,
      functionKeys: tables.functionKeys,
      functionHourly: tables.functionHourly,
      exceptionStacks: tables.exceptionStacks,
      exceptionHourly: tables.exceptionHourly,
      traceEntrypoints: tables.traceEntrypoints,
      serviceHourly: tables.serviceHourly,
    };
  }
  const both = (select: (source: "traces" | "logs") => string) =>
    hasLogs ? `(${select("traces")} UNION ALL ${select("logs")})` : `(${select("traces")})`;
  return {
    kind,
    functionKeys: `(${functionKeysSelect(tables, RAW_TIME_FILTER)})`,
    functionHourly: `(${functionHourlySelect(tables, RAW_TIME_FILTER)})`,
    exceptionStacks: both((s) => exceptionStacksSelect(tables, s, RAW_TIME_FILTER)),
    exceptionHourly: both((s) => exceptionHourlySelect(tables, s, RAW_TIME_FILTER)),
    traceEntrypoints: `(${traceEntrypointsSelect(tables, RAW_TIME_FILTER)})`,
    serviceHourly: `(${serviceHourlySelect(tables, RAW_TIME_FILTER)})`,
  };
}
