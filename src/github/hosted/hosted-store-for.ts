/**
 * `AppOptions.storeFor` for hosted mode: an installation that connected its ClickHouse on
 * the setup page reads its own telemetry, with its own password, and nothing else. An
 * installation without settings falls back to the self-hosted default (the env's
 * ClickHouse, or none), so single-tenant deployments behave exactly as before.
 */
import { openTelemetryStore } from "../../telemetry/open-store.ts";
import type { TelemetryRequest, TelemetryStore } from "../../telemetry/types.ts";
import type { StoreFor } from "../analyse-pull-request.ts";
import type { InstallationSettings } from "./installation-settings.ts";
import type { InstallationSettingsStore } from "./settings-store.ts";

export interface HostedStoreForOptions {
  settings: Pick<InstallationSettingsStore, "get">;
  /** For installations without settings (self-hosted env settings, or no telemetry). */
  fallback: StoreFor;
  requestTimeoutMs: number;
  /** Refuses URLs before connecting (hosted: `assertPublicAddress`). */
  checkAddress?: (url: string) => Promise<void>;
}

/** The services the setup page mapped to `owner/repo`, or [] (all services). */
export function mappedServices(
  settings: InstallationSettings,
  owner: string,
  repo: string,
): string[] {
  const full = `${owner}/${repo}`.toLowerCase();
  return settings.serviceMappings.find((m) => m.repository === full)?.services ?? [];
}

/** Narrows requests without their own service filter (from the repo config) to `services`. */
function withServices(store: TelemetryStore, services: string[]): TelemetryStore {
  if (services.length === 0) return store;
  const narrow = <T extends TelemetryRequest>(request: T): T =>
    request.services && request.services.length > 0 ? request : { ...request, services };
  return {
    init: () => store.init(),
    status: () => store.status(),
    functionTelemetry: (request) => store.functionTelemetry(narrow(request)),
    inputSamples: (request) => store.inputSamples(narrow(request)),
    close: () => store.close(),
  };
}

/**
 * @example createApp({ ...settings, storeFor: createHostedStoreFor({ settings: store, fallback: defaultStoreFor(settings), requestTimeoutMs: 60_000 }) })
 */
export function createHostedStoreFor(options: HostedStoreForOptions): StoreFor {
  return async (installationId, target, context) => {
    // Keyed by the webhook's installation id: the only settings this analysis can reach.
    const settings = await options.settings.get(installationId);
    if (!settings) return options.fallback(installationId, target, context);
    // The installation admin's connection decides where the tables are; the repo config
    // still decides everything else (services, path mappings, risk).
    const config = {
      ...context.config,
      telemetry: {
        ...context.config.telemetry,
        database: settings.database,
        tracesTable: settings.tracesTable,
        logsTable: settings.logsTable,
      },
    };
    await options.checkAddress?.(settings.url);
    const store = await openTelemetryStore({
      config,
      clickhouse: {
        url: settings.url,
        username: settings.username,
        password: settings.password,
        database: settings.database,
        requestTimeoutMs: options.requestTimeoutMs,
      },
      ...(context.locator ? { locator: context.locator } : {}),
    });
    return withServices(store, mappedServices(settings, target.owner, target.repo));
  };
}
