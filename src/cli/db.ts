/**
 * `faultline db init|status`: create Faultline's tables (and the exporter tables where they
 * are absent), or show what exists.
 */
import type { Command } from "commander";
import { loadConfigFile } from "../load-config.ts";
import { openTelemetryStore } from "../telemetry/open-store.ts";
import type { SchemaStatus } from "../telemetry/types.ts";
import { addStoreOptions, type StoreFlags, storeOptionsFrom } from "./store-options.ts";

interface DbFlags extends StoreFlags {
  config?: string;
  json?: boolean;
}

export function registerDb(program: Command): void {
  const db = program
    .command("db")
    .description("Set up or inspect the telemetry store (ClickHouse or embedded chDB).");
  for (const [name, description, run] of [
    [
      "init",
      "Create Faultline's tables, and otel_traces/otel_logs where absent. Idempotent.",
      "init",
    ],
    ["status", "Show the schema version and which tables exist, with row counts.", "status"],
  ] as const) {
    addStoreOptions(db.command(name).description(description))
      .option("--config <file>", "configuration file (default: .github/faultline.yml)")
      .option("--json", "print the status as JSON")
      .action(async (flags: DbFlags) => {
        const config = await loadConfigFile(flags.config ?? ".github/faultline.yml");
        const store = await openTelemetryStore({ config, ...storeOptionsFrom(flags) });
        try {
          const status = run === "init" ? await store.init() : await store.status();
          process.stdout.write(
            flags.json
              ? `${JSON.stringify(status, null, 2)}\n`
              : formatStatus(status, store.connection.kind),
          );
        } finally {
          await store.close();
        }
      });
  }
}

/** Plain-text status: one line per table. */
export function formatStatus(status: SchemaStatus, kind: "server" | "embedded"): string {
  const version =
    status.version === null
      ? `not initialised (run "faultline db init"; latest schema ${status.latestVersion})`
      : status.version < status.latestVersion
        ? `${status.version}, latest ${status.latestVersion} (run "faultline db init" to migrate)`
        : `${status.version} (latest)`;
  const width = Math.max(...status.tables.map((t) => t.name.length));
  const lines = status.tables.map(
    (t) => `  ${t.name.padEnd(width)}  ${t.exists ? `${t.rows ?? "?"} rows` : "missing"}`,
  );
  return `${kind} store, database ${status.database}\nschema version: ${version}\n${lines.join("\n")}\n`;
}
