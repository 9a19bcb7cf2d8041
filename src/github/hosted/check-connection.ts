/**
 * "Test connection" on the setup page: can Faultline reach the installation's ClickHouse,
 * are the exporter's tables there with the columns Faultline reads, and is the telemetry
 * good enough to attribute (spans lately, code.* attributes, exception stack traces)?
 * Returns facts per check; `templates/setup-check.hbs` turns them into plain language.
 */
import type { ClickHouseConnection } from "../../telemetry/types.ts";
import { PrivateAddressError } from "./assert-public-address.ts";
import type { ServiceMapping } from "./installation-settings.ts";

export type CheckStatus = "pass" | "warn" | "fail";

export type CheckId =
  | "reachable"
  | "database"
  | "traces-table"
  | "logs-table"
  | "recent-spans"
  | "code-attributes"
  | "exception-stacks"
  | "service-mapping"
  | "query";

export interface ConnectionCheck {
  id: CheckId;
  status: CheckStatus;
  /** Figures and names the template words the result from. */
  facts: Record<string, string | number | boolean | string[]>;
}

export interface ConnectionReport {
  /** No check failed (warnings allowed). */
  ok: boolean;
  checks: ConnectionCheck[];
}

export interface CheckTarget {
  password: string;
  database: string;
  tracesTable: string;
  logsTable: string;
  serviceMappings: ServiceMapping[];
}

/** Columns of the exporter's tables that Faultline's queries read. */
export const REQUIRED_TRACE_COLUMNS = [
  "Timestamp",
  "TraceId",
  "SpanId",
  "ParentSpanId",
  "SpanName",
  "SpanKind",
  "ServiceName",
  "ResourceAttributes",
  "SpanAttributes",
  "Duration",
  "StatusCode",
  "Events.Timestamp",
  "Events.Name",
  "Events.Attributes",
] as const;

export const REQUIRED_LOG_COLUMNS = [
  "Timestamp",
  "TraceId",
  "SpanId",
  "SeverityText",
  "ServiceName",
  "Body",
  "ResourceAttributes",
  "LogAttributes",
] as const;

/** Below this share of spans with code.* attributes, attribution relies on stack traces. */
const GOOD_CODE_SHARE = 0.2;
const GOOD_STACK_SHARE = 0.8;

/**
 * Why a connection attempt failed, in the categories the page explains, with the driver's
 * message (password masked, shortened) for the details.
 */
export function describeConnectionError(
  error: unknown,
  password: string,
): { reason: string; message: string } {
  const text =
    error instanceof Error
      ? `${error.message} ${String((error as { code?: unknown }).code ?? "")}`
      : String(error);
  // openServerConnection's advice names CLI flags and env variables; keep only its reason.
  const raw = /could not reach ClickHouse at \S+ \((.*)\)\. Check /s.exec(text)?.[1] ?? text;
  if (error instanceof PrivateAddressError) return { reason: "private", message: error.message };
  // The password never reaches the page, even when a driver echoes it.
  const message = (password ? raw.split(password).join("•••") : raw).slice(0, 300).trim();
  const lower = message.toLowerCase();
  if (lower.includes("econnrefused")) return { reason: "refused", message };
  if (lower.includes("enotfound") || lower.includes("eai_again")) return { reason: "dns", message };
  if (lower.includes("timeout") || lower.includes("etimedout") || lower.includes("aborted")) {
    return { reason: "timeout", message };
  }
  if (
    lower.includes("authentication") ||
    lower.includes("password") ||
    lower.includes("code: 516") ||
    lower.includes(" 401")
  ) {
    return { reason: "auth", message };
  }
  if (lower.includes("certificate") || lower.includes("ssl") || lower.includes("tls")) {
    return { reason: "tls", message };
  }
  return { reason: "other", message };
}

const percent = (part: number, whole: number): number =>
  whole === 0 ? 0 : Math.round((part / whole) * 1000) / 10;

/**
 * Runs the checks in order and stops at the first one later checks depend on.
 * @example const report = await checkConnection(connection, settings);
 */
export async function checkConnection(
  connection: ClickHouseConnection,
  target: CheckTarget,
): Promise<ConnectionReport> {
  const checks: ConnectionCheck[] = [];
  try {
    return await runChecks(connection, target, checks);
  } catch (error) {
    // Connected, but a later query failed (usually a missing grant): say which, keep the rest.
    checks.push({
      id: "query",
      status: "fail",
      facts: describeConnectionError(error, target.password),
    });
    return { ok: false, checks };
  }
}

async function runChecks(
  connection: ClickHouseConnection,
  target: CheckTarget,
  checks: ConnectionCheck[],
): Promise<ConnectionReport> {
  const done = (): ConnectionReport => ({
    ok: checks.every((c) => c.status !== "fail"),
    checks,
  });

  try {
    const [row] = await connection.query<{ version: string }>("SELECT version() AS version");
    checks.push({ id: "reachable", status: "pass", facts: { version: row?.version ?? "" } });
  } catch (error) {
    checks.push({
      id: "reachable",
      status: "fail",
      facts: describeConnectionError(error, target.password),
    });
    return done();
  }

  const databases = await connection.query<{ name: string }>(
    "SELECT name FROM system.databases WHERE name NOT IN ('system', 'INFORMATION_SCHEMA', 'information_schema') ORDER BY name LIMIT 20",
  );
  if (!databases.some((d) => d.name === target.database)) {
    checks.push({
      id: "database",
      status: "fail",
      facts: { database: target.database, available: databases.map((d) => d.name) },
    });
    return done();
  }
  checks.push({ id: "database", status: "pass", facts: { database: target.database } });

  const columns = await connection.query<{ table: string; name: string }>(
    `SELECT table, name FROM system.columns
     WHERE database = {database:String} AND table IN ({traces:String}, {logs:String})`,
    { database: target.database, traces: target.tracesTable, logs: target.logsTable },
  );
  const columnsOf = (table: string): Set<string> =>
    new Set(columns.filter((c) => c.table === table).map((c) => c.name));

  const traceColumns = columnsOf(target.tracesTable);
  const missingTrace = REQUIRED_TRACE_COLUMNS.filter((c) => !traceColumns.has(c));
  checks.push({
    id: "traces-table",
    status: missingTrace.length === 0 ? "pass" : "fail",
    facts: {
      table: target.tracesTable,
      exists: traceColumns.size > 0,
      missing: missingTrace,
    },
  });

  const logColumns = columnsOf(target.logsTable);
  const missingLog = REQUIRED_LOG_COLUMNS.filter((c) => !logColumns.has(c));
  checks.push({
    id: "logs-table",
    // Logs only add exceptions spans lack; traces alone are enough to start.
    status: missingLog.length === 0 ? "pass" : "warn",
    facts: { table: target.logsTable, exists: logColumns.size > 0, missing: missingLog },
  });
  if (missingTrace.length > 0) return done();

  const [stats] = await connection.query<{
    spans: string | number;
    with_code: string | number;
    exceptions: string | number;
    with_stack: string | number;
    services: string[];
  }>(
    `SELECT
       count() AS spans,
       countIf(mapContains(SpanAttributes, 'code.function.name')
         OR mapContains(SpanAttributes, 'code.function')) AS with_code,
       sum(arrayCount(n -> n = 'exception', Events.Name)) AS exceptions,
       sum(arrayCount((n, a) -> n = 'exception' AND a['exception.stacktrace'] != '',
         Events.Name, Events.Attributes)) AS with_stack,
       groupUniqArray(50)(ServiceName) AS services
     FROM {database:Identifier}.{traces:Identifier}
     WHERE Timestamp >= now() - INTERVAL 24 HOUR`,
    { database: target.database, traces: target.tracesTable },
  );
  const spans = Number(stats?.spans ?? 0);
  const withCode = Number(stats?.with_code ?? 0);
  const exceptions = Number(stats?.exceptions ?? 0);
  const withStack = Number(stats?.with_stack ?? 0);
  const services = [...(stats?.services ?? [])].sort();

  checks.push({ id: "recent-spans", status: spans > 0 ? "pass" : "warn", facts: { spans } });
  if (spans > 0) {
    const share = percent(withCode, spans);
    checks.push({
      id: "code-attributes",
      status: withCode / spans >= GOOD_CODE_SHARE ? "pass" : "warn",
      facts: { share, withCode, spans },
    });
    checks.push({
      id: "exception-stacks",
      status: exceptions === 0 || withStack / exceptions >= GOOD_STACK_SHARE ? "pass" : "warn",
      facts: { exceptions, withStack, share: percent(withStack, exceptions) },
    });
  }

  const mapped = target.serviceMappings.flatMap((m) => m.services);
  const silent = mapped.filter((s) => !services.includes(s));
  checks.push({
    id: "service-mapping",
    status: silent.length === 0 ? "pass" : "warn",
    facts: { mapped: mapped.length, silent, seen: services.slice(0, 20) },
  });
  return done();
}
