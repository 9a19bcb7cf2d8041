import { incidentRow } from "../query-function-telemetry.ts";
import type { TableNames } from "../table-names.ts";
import type { ClickHouseConnection } from "../types.ts";
import type { ImportedIncident } from "./parse-incidents-file.ts";

/** Writes imported incidents; re-importing an id replaces the earlier row. */
export async function recordIncidents(
  connection: ClickHouseConnection,
  tables: TableNames,
  incidents: readonly ImportedIncident[],
): Promise<number> {
  if (incidents.length === 0) return 0;
  await connection.insert(
    tables.incidents.replaceAll("`", ""),
    incidents.map((i) =>
      incidentRow(
        {
          id: i.id,
          title: i.title,
          severity: i.severity,
          startedAt: i.startedAt.toISOString(),
          resolvedAt: i.resolvedAt ? i.resolvedAt.toISOString() : null,
          service: i.service,
          url: i.url,
          source: "imported",
          evidence: "",
        },
        i.functions,
        i.fingerprints.map((f) => f.toLowerCase()),
      ),
    ),
  );
  return incidents.length;
}
