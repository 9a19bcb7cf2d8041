/**
 * The telemetry-store flags shared by `analyze`, `scenarios`, `db`, `collect` and
 * `incidents`: an embedded directory (`--db`) or a ClickHouse server (`--clickhouse`), with
 * connection settings from flags or the environment. The password only comes from the
 * environment, so it never shows up in shell history or `ps`.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { UsageError } from "../errors.ts";
import type { ServerConnectionOptions } from "../telemetry/server-connection.ts";

/** The parsed flags as commander hands them over. */
export interface StoreFlags {
  db?: string;
  clickhouse?: string;
  clickhouseUser?: string;
  clickhouseDatabase?: string;
}

export interface StoreSelection {
  clickhouse?: ServerConnectionOptions;
  dataDir?: string;
}

/**
 * Adds `--db DIR`, `--clickhouse URL`, `--clickhouse-user NAME`, `--clickhouse-database NAME`.
 *
 * @example
 *   addStoreOptions(program.command("db").command("status")).action((opts) => {
 *     const store = await openTelemetryStore({ config, ...storeOptionsFrom(opts) });
 *   });
 */
export function addStoreOptions(cmd: Command): Command {
  return cmd
    .option("--db <dir>", "embedded telemetry store directory (default: ./.faultline)")
    .option(
      "--clickhouse <url>",
      "a ClickHouse server, e.g. https://clickhouse.internal:8443 (env FAULTLINE_CLICKHOUSE_URL)",
    )
    .option("--clickhouse-user <name>", "ClickHouse user (env FAULTLINE_CLICKHOUSE_USER)")
    .option(
      "--clickhouse-database <name>",
      "default database of the connection (env FAULTLINE_CLICKHOUSE_DATABASE)",
    );
}

/**
 * Flags first, then `FAULTLINE_CLICKHOUSE_URL` / `_USER` / `_PASSWORD` / `_DATABASE`.
 * `--db` wins over an environment URL; `--db` with `--clickhouse` is a usage error.
 * Neither: `{}` (the embedded store in ./.faultline).
 */
export function storeOptionsFrom(
  opts: StoreFlags,
  env: NodeJS.ProcessEnv = process.env,
): StoreSelection {
  if (opts.db && opts.clickhouse) {
    throw new UsageError("--db and --clickhouse exclude each other: pick one telemetry store");
  }
  if (opts.db) return { dataDir: resolve(opts.db) };
  const url = opts.clickhouse ?? nonEmpty(env.FAULTLINE_CLICKHOUSE_URL);
  if (!url) return {};
  if (!/^https?:\/\//.test(url)) {
    throw new UsageError(
      `--clickhouse ${url}: give the HTTP(S) URL of the ClickHouse server, e.g. http://localhost:8123`,
    );
  }
  const username = opts.clickhouseUser ?? nonEmpty(env.FAULTLINE_CLICKHOUSE_USER);
  const password = nonEmpty(env.FAULTLINE_CLICKHOUSE_PASSWORD);
  const database = opts.clickhouseDatabase ?? nonEmpty(env.FAULTLINE_CLICKHOUSE_DATABASE);
  return {
    clickhouse: {
      url,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      ...(database ? { database } : {}),
    },
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
