import type { StoreFor } from "./analyse-pull-request.ts";
import type { AppSettings } from "./settings.ts";

/**
 * The self-hosted default: every installation reads the one ClickHouse from the
 * environment; no URL means no telemetry (checks say so and stay neutral).
 */
export function defaultStoreFor(settings: AppSettings): StoreFor {
  return async () => {
    if (!settings.clickhouse) return null;
    throw new Error("ClickHouse telemetry is not wired into this build yet");
  };
}
