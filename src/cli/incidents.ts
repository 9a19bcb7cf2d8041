/**
 * `faultline incidents import FILE`: load incidents (JSON or CSV) so the report can link
 * them to the functions a change touches. `faultline incidents list` shows what is stored,
 * imported and detected (error spikes recorded during analysis).
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { UsageError, UserError } from "../errors.ts";
import { loadConfigFile } from "../load-config.ts";
import { parseIncidentsFile } from "../telemetry/incidents/parse-incidents-file.ts";
import { recordIncidents } from "../telemetry/incidents/record-incidents.ts";
import { migrate } from "../telemetry/migrations.ts";
import { openTelemetryStore } from "../telemetry/open-store.ts";
import { tableNames } from "../telemetry/table-names.ts";
import { addStoreOptions, type StoreFlags, storeOptionsFrom } from "./store-options.ts";

interface IncidentFlags extends StoreFlags {
  config?: string;
  days?: string;
  json?: boolean;
}

export function registerIncidents(program: Command): void {
  const incidents = program
    .command("incidents")
    .description("Import incidents and list the ones Faultline knows (imported or detected).");

  addStoreOptions(
    incidents
      .command("import")
      .argument(
        "<file>",
        "incidents as JSON (array, or { incidents: [...] }) or CSV with a header row",
      )
      .description(
        "Import incidents; bad rows are reported with line numbers, good rows still import.",
      ),
  )
    .option("--config <file>", "configuration file (default: .github/faultline.yml)")
    .addHelpText(
      "after",
      `
Fields (CSV columns or JSON keys): id, title, severity, startedAt, resolvedAt, service,
functions ("src/orders.ts#OrderService.checkout" or a file path; several separated by ;),
fingerprints (exception fingerprints; ; separated), url. snake_case spellings work too.
Re-importing an id replaces it. Exit 1 when some rows were rejected.

Example:
  faultline incidents import incidents.csv --db .faultline`,
    )
    .action(async (file: string, flags: IncidentFlags) => {
      let text: string;
      try {
        text = await readFile(file, "utf8");
      } catch (error) {
        throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
      }
      const parsed = parseIncidentsFile(text, file);
      const config = await loadConfigFile(flags.config ?? ".github/faultline.yml");
      const store = await openTelemetryStore({ config, ...storeOptionsFrom(flags) });
      let imported = 0;
      try {
        const tables = tableNames(config.telemetry);
        await migrate(store.connection, tables);
        imported = await recordIncidents(store.connection, tables, parsed.incidents);
      } finally {
        await store.close();
      }
      process.stdout.write(
        `imported ${imported} incident${imported === 1 ? "" : "s"} from ${file}\n`,
      );
      if (parsed.errors.length > 0) {
        process.stderr.write(
          `${parsed.errors.length} row${parsed.errors.length === 1 ? "" : "s"} rejected:\n${parsed.errors
            .map((e) => `  ${file}:${e.line}: ${e.message}\n`)
            .join("")}`,
        );
        if (imported === 0) throw new UserError(`no incidents imported from ${file}`, 1);
        process.exitCode = 1;
      }
    });

  addStoreOptions(incidents.command("list").description("List stored incidents, newest first."))
    .option("--config <file>", "configuration file (default: .github/faultline.yml)")
    .option("--days <n>", "only incidents started in the last n days", "90")
    .option("--json", "print JSON")
    .action(async (flags: IncidentFlags) => {
      const days = Number(flags.days);
      if (!Number.isInteger(days) || days < 1) {
        throw new UsageError(`--days ${flags.days}: give a whole number of days, 1 or more`);
      }
      const config = await loadConfigFile(flags.config ?? ".github/faultline.yml");
      const store = await openTelemetryStore({ config, ...storeOptionsFrom(flags) });
      try {
        const tables = tableNames(config.telemetry);
        const status = await store.status();
        if (!status.tables.find((t) => t.name === "faultline_incidents")?.exists) {
          throw new UserError('no incidents table yet: run "faultline db init" or import some');
        }
        const rows = await store.connection.query<Record<string, unknown>>(
          `SELECT Id AS id, Title AS title, Severity AS severity, Source AS source,
                  formatDateTime(StartedAt, '%Y-%m-%dT%H:%i:%SZ', 'UTC') AS startedAt,
                  ServiceName AS service, Functions AS functions, Url AS url, Evidence AS evidence
           FROM ${tables.incidents} FINAL
           WHERE StartedAt >= now64(3) - toIntervalDay({days:UInt32})
           ORDER BY StartedAt DESC`,
          { days },
        );
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
          return;
        }
        for (const r of rows) {
          process.stdout.write(
            `${r.startedAt}  ${String(r.source).padEnd(8)}  ${String(r.severity).padEnd(8)}  ${r.id}  ${r.title}\n`,
          );
        }
        if (rows.length === 0) process.stdout.write(`no incidents in the last ${days} days\n`);
      } finally {
        await store.close();
      }
    });
}
