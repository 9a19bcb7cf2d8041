/**
 * Versioned, idempotent schema setup. Exporter tables are created only where absent and
 * never altered; Faultline's own tables are (re)created with IF NOT EXISTS, and the
 * rollups are backfilled from existing spans the first time their views appear.
 */
import {
  backfillStatements,
  functionKeysSelect,
  logsTableDdl,
  ownTablesDdl,
  tracesTableDdl,
} from "./schema.ts";
import { OWN_TABLES, quoteIdentifier, type TableNames } from "./table-names.ts";
import type { ClickHouseConnection, SchemaStatus } from "./types.ts";

/** Bump with every migration added below. */
export const LATEST_SCHEMA_VERSION = 2;

interface Migration {
  version: number;
  description: string;
  /**
   * Brings tables an earlier version created up to this one (fresh installs get the current
   * DDL and skip it): `before` runs ahead of the (re)creation of missing tables and views,
   * `backfill` after it, with `{cutoffMs}` the moment the views appeared.
   */
  upgrade?: { before: (t: TableNames) => string[]; backfill: (t: TableNames) => string[] };
}

const CUTOFF = "fromUnixTimestamp64Milli({cutoffMs:Int64})";

const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description:
      "function hourly rollup, function keys, exception aggregates, trace entrypoints, learned span functions, incidents",
  },
  {
    version: 2,
    description:
      "trace samples of function keys: the 16 smallest trace ids (the same on every read) instead of a random reservoir",
    upgrade: {
      // The view writes the new column: replace it (ownTablesDdl recreates it) and drop the old one.
      before: (t) => [
        `ALTER TABLE ${t.functionKeys} ADD COLUMN IF NOT EXISTS TraceIds AggregateFunction(groupArraySorted(16), String)`,
        `DROP VIEW IF EXISTS ${t.functionKeysView}`,
        `ALTER TABLE ${t.functionKeys} DROP COLUMN IF EXISTS TraceSample`,
      ],
      // Samples of the spans still in the exporter table; their calls are counted already.
      backfill: (t) => [
        `INSERT INTO ${t.functionKeys} (ServiceName, SpanName, FilePath, FunctionName, FirstHour, LastHour, TraceIds)
         SELECT ServiceName, SpanName, FilePath, FunctionName, FirstHour, LastHour, TraceIds
         FROM (${functionKeysSelect(t, `Timestamp < ${CUTOFF}`)})`,
      ],
    },
  },
];

/** Creates what is missing and records the schema version. Safe to run any number of times. */
export async function migrate(
  connection: ClickHouseConnection,
  tables: TableNames,
): Promise<SchemaStatus> {
  await connection.command(`CREATE DATABASE IF NOT EXISTS ${quoteIdentifier(tables.database)}`);
  await connection.command(tracesTableDdl(tables));
  await connection.command(logsTableDdl(tables));
  const before = await existingTables(connection, tables.database);
  const rollupIsNew = !before.has("faultline_function_hourly_mv");
  const current = await currentVersion(connection, tables, before);
  const upgrades = rollupIsNew
    ? []
    : MIGRATIONS.flatMap((m) => (m.upgrade && m.version > (current ?? 0) ? [m.upgrade] : []));
  for (const upgrade of upgrades) {
    for (const statement of upgrade.before(tables)) await connection.command(statement);
  }
  for (const ddl of ownTablesDdl(tables)) await connection.command(ddl);
  const cutoffMs = Date.now();
  // Spans written before the views existed: fold them in once, up to the moment the views appeared.
  const backfills = rollupIsNew
    ? backfillStatements(tables, CUTOFF)
    : upgrades.flatMap((upgrade) => upgrade.backfill(tables));
  for (const statement of backfills) await connection.command(statement, { cutoffMs });
  for (const migration of MIGRATIONS) {
    if (current !== null && migration.version <= current) continue;
    await connection.insert(tables.schemaVersion.replaceAll("`", ""), [
      {
        Version: migration.version,
        Description: migration.description,
        AppliedAt: isoForClickHouse(new Date()),
        RollupSince: isoForClickHouse(new Date(rollupIsNew ? 0 : cutoffMs)),
      },
    ]);
  }
  return schemaStatus(connection, tables);
}

/** What exists, the schema version and row counts. */
export async function schemaStatus(
  connection: ClickHouseConnection,
  tables: TableNames,
): Promise<SchemaStatus> {
  const names = [
    unqualified(tables.traces),
    unqualified(tables.logs),
    ...OWN_TABLES.filter((name) => !name.endsWith("_mv")),
  ];
  const rows = await connection.query<{ name: string; total_rows: string | number | null }>(
    "SELECT name, total_rows FROM system.tables WHERE database = {db:String} AND has({names:Array(String)}, name)",
    { db: tables.database, names },
  );
  const found = new Map(rows.map((row) => [row.name, row.total_rows]));
  const version = found.has("faultline_schema_version")
    ? await currentVersion(connection, tables)
    : null;
  return {
    database: tables.database,
    version,
    latestVersion: LATEST_SCHEMA_VERSION,
    tables: names.map((name) => {
      const total = found.get(name);
      return {
        name,
        exists: found.has(name),
        rows: total === undefined || total === null ? null : Number(total),
      };
    }),
  };
}

/** Names of the tables (and views) in `database`. */
export async function existingTables(
  connection: ClickHouseConnection,
  database: string,
): Promise<Set<string>> {
  const rows = await connection.query<{ name: string }>(
    "SELECT name FROM system.tables WHERE database = {db:String}",
    { db: database },
  );
  return new Set(rows.map((row) => row.name));
}

/** The schema version recorded in `database`; null before the first `db init`. */
export async function currentVersion(
  connection: ClickHouseConnection,
  tables: TableNames,
  present?: ReadonlySet<string>,
): Promise<number | null> {
  const exists = present ?? (await existingTables(connection, tables.database));
  if (!exists.has("faultline_schema_version")) return null;
  const rows = await connection.query<{ version: number | string | null }>(
    `SELECT max(Version) AS version, count() AS n FROM ${tables.schemaVersion} HAVING n > 0`,
  );
  const version = rows[0]?.version;
  return version === undefined || version === null ? null : Number(version);
}

/** `db`.`table` → table. */
export function unqualified(qualified: string): string {
  const parts = qualified.split(".");
  return (parts[parts.length - 1] ?? qualified).replaceAll("`", "");
}

/** ClickHouse parses `YYYY-MM-DD hh:mm:ss.sss` in JSONEachRow input for DateTime64. */
export function isoForClickHouse(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
