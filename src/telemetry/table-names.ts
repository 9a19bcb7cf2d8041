import type { Config } from "../config.ts";
import { UsageError } from "../errors.ts";

/** Fully qualified, quoted names of every table Faultline reads or owns. */
export interface TableNames {
  /** Database name, unquoted (for `system.tables` lookups). */
  database: string;
  traces: string;
  logs: string;
  functionHourly: string;
  functionHourlyView: string;
  functionKeys: string;
  functionKeysView: string;
  exceptionHourly: string;
  exceptionHourlyFromTracesView: string;
  exceptionHourlyFromLogsView: string;
  exceptionStacks: string;
  exceptionStacksFromTracesView: string;
  exceptionStacksFromLogsView: string;
  traceEntrypoints: string;
  traceEntrypointsView: string;
  serviceHourly: string;
  serviceHourlyView: string;
  spanFunctions: string;
  incidents: string;
  schemaVersion: string;
}

/** Unquoted table names as they appear in `system.tables`, in creation order. */
export const OWN_TABLES = [
  "faultline_schema_version",
  "faultline_function_hourly",
  "faultline_function_hourly_mv",
  "faultline_function_keys",
  "faultline_function_keys_mv",
  "faultline_exception_hourly",
  "faultline_exception_hourly_traces_mv",
  "faultline_exception_hourly_logs_mv",
  "faultline_exception_stacks",
  "faultline_exception_stacks_traces_mv",
  "faultline_exception_stacks_logs_mv",
  "faultline_trace_entrypoints",
  "faultline_trace_entrypoints_mv",
  "faultline_service_hourly",
  "faultline_service_hourly_mv",
  "faultline_span_functions",
  "faultline_incidents",
] as const;

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Validates and backtick-quotes one identifier; config values never reach SQL unchecked. */
export function quoteIdentifier(name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new UsageError(
      `"${name}" is not a valid ClickHouse name for Faultline: use letters, digits and underscores (telemetry.database / tracesTable / logsTable in .github/faultline.yml).`,
    );
  }
  return `\`${name}\``;
}

/** Table names from `Config["telemetry"]`. */
export function tableNames(telemetry: Config["telemetry"]): TableNames {
  const db = quoteIdentifier(telemetry.database);
  const q = (name: string) => `${db}.${quoteIdentifier(name)}`;
  return {
    database: telemetry.database,
    traces: q(telemetry.tracesTable),
    logs: q(telemetry.logsTable),
    functionHourly: q("faultline_function_hourly"),
    functionHourlyView: q("faultline_function_hourly_mv"),
    functionKeys: q("faultline_function_keys"),
    functionKeysView: q("faultline_function_keys_mv"),
    exceptionHourly: q("faultline_exception_hourly"),
    exceptionHourlyFromTracesView: q("faultline_exception_hourly_traces_mv"),
    exceptionHourlyFromLogsView: q("faultline_exception_hourly_logs_mv"),
    exceptionStacks: q("faultline_exception_stacks"),
    exceptionStacksFromTracesView: q("faultline_exception_stacks_traces_mv"),
    exceptionStacksFromLogsView: q("faultline_exception_stacks_logs_mv"),
    traceEntrypoints: q("faultline_trace_entrypoints"),
    traceEntrypointsView: q("faultline_trace_entrypoints_mv"),
    serviceHourly: q("faultline_service_hourly"),
    serviceHourlyView: q("faultline_service_hourly_mv"),
    spanFunctions: q("faultline_span_functions"),
    incidents: q("faultline_incidents"),
    schemaVersion: q("faultline_schema_version"),
  };
}
