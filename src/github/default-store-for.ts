import { openTelemetryStore } from "../telemetry/open-store.ts";
import type { StoreFor } from "./analyse-pull-request.ts";
import type { AppSettings } from "./settings.ts";

/**
 * The self-hosted default: every installation reads the one ClickHouse from the
 * environment; no URL means no telemetry (checks say so and stay neutral).
 * `FAULTLINE_CLICKHOUSE_DATABASE` is where the tables live unless the repo config names
 * another `telemetry.database`.
 */
export function defaultStoreFor(settings: AppSettings): StoreFor {
  return async (_installationId, _repo, context) => {
    const clickhouse = settings.clickhouse;
    if (!clickhouse) return null;
    const config = context.config;
    const database =
      clickhouse.database && config.telemetry.database === "default"
        ? clickhouse.database
        : config.telemetry.database;
    return openTelemetryStore({
      config: { ...config, telemetry: { ...config.telemetry, database } },
      clickhouse: {
        url: clickhouse.url,
        ...(clickhouse.username ? { username: clickhouse.username } : {}),
        ...(clickhouse.password !== undefined ? { password: clickhouse.password } : {}),
        ...(clickhouse.database ? { database: clickhouse.database } : {}),
        requestTimeoutMs: settings.telemetryTimeoutMs,
      },
      ...(context.locator ? { locator: context.locator } : {}),
    });
  };
}
